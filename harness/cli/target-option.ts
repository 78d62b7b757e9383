import { GauntletError } from "../../lib/errors/index.ts";
import type { Target } from "../config/index.ts";
import { resolveTargetFile } from "../providers/index.ts";
import { listStacks } from "../providers/local/index.ts";

/** `--target FILE`, or else the one local stack `gauntlet up` is running. */
export async function resolveTarget(file: string | undefined): Promise<Target> {
  if (file !== undefined) return resolveTargetFile(file);
  const stacks = listStacks();
  const [only] = stacks;
  if (stacks.length === 1 && only) return resolveTargetFile(only.targetFile);
  if (stacks.length === 0) throw new GauntletError("no target: pass --target FILE, or start a local stack with `gauntlet up`");
  throw new GauntletError(`${stacks.length} local stacks are running (${stacks.map((s) => s.id).join(", ")}): pass --target FILE`);
}
