import { appendFileSync } from "node:fs";
import { join } from "node:path";

export const LATENCY_LOG = "latency.jsonl";

/** One gateway request as the run record keeps it: which endpoint, how long, what status. */
export interface LatencySample {
  readonly endpoint: string;
  readonly ms: number;
  readonly status: number;
}

/** Appends to the run record's latency log when the suite runs under `gauntlet run` (GAUNTLET_RUN_DIR). */
export function recordLatency(sample: LatencySample): void {
  const dir = process.env.GAUNTLET_RUN_DIR;
  if (dir) appendFileSync(join(dir, LATENCY_LOG), `${JSON.stringify(sample)}\n`);
}
