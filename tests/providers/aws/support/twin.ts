import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type AwsTwinOptions, type StartedAwsTwin, startAwsTwin, type TwinEvent } from "../../../../harness/providers/aws/index.ts";

export interface TwinFixture {
  readonly twin: () => StartedAwsTwin;
  /** What the reconciler did to the nodes, in order. */
  readonly events: readonly TwinEvent[];
  /** Where `gauntlet chaos --runs-dir` keeps this file's run records. */
  readonly runsDir: string;
}

/** One AWS twin per test file (its nodes' events recorded), and a runs dir; both gone after the file. */
export function useTwin(options: AwsTwinOptions): TwinFixture {
  const runsDir = mkdtempSync(join(tmpdir(), "gauntlet-twin-runs-"));
  const events: TwinEvent[] = [];
  let twin: StartedAwsTwin | undefined;
  beforeAll(async () => {
    twin = await startAwsTwin({ ...options, onEvent: (event) => events.push(event) });
  }, 180_000);
  afterAll(async () => {
    await twin?.stop();
    rmSync(runsDir, { recursive: true, force: true });
  }, 60_000);
  return {
    twin: () => {
      if (!twin) throw new Error("the twin did not start");
      return twin;
    },
    events,
    runsDir,
  };
}
