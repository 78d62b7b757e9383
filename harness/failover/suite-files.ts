import { readdirSync } from "node:fs";
import { join } from "node:path";
import { GauntletError } from "../../lib/errors/index.ts";

const SUITE_DIR = join("suites", "failover");

/** Experiments are the failover suite's test files, one per fault: `suites/failover/<name>.test.ts`. */
export function failoverExperiments(repoRoot: string): string[] {
  return readdirSync(join(repoRoot, SUITE_DIR))
    .filter((file) => file.endsWith(".test.ts"))
    .map((file) => file.slice(0, -".test.ts".length))
    .sort();
}

/** The suite files for experiment names (`all` = every one); an unknown name is bad input from `source`. */
export function failoverIncludes(repoRoot: string, names: readonly string[], source: string): string[] {
  const known = failoverExperiments(repoRoot);
  if (names.includes("all")) return known.map((name) => `${SUITE_DIR}/${name}.test.ts`);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new GauntletError(`${source}: no failover experiment named ${unknown.join(", ")} (known: ${known.join(", ")}, all)`);
  return names.map((name) => `${SUITE_DIR}/${name}.test.ts`);
}
