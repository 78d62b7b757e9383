import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { percentile } from "../../lib/percentile/index.ts";
import { LATENCY_LOG } from "./record-files.ts";
import type { LatencySection } from "./summary-schema.ts";

/** One gateway request as the run record keeps it: which endpoint, how long, what status. */
export interface LatencySample {
  readonly endpoint: string;
  readonly ms: number;
  readonly status: number;
  /** A request that provoked an error on purpose (the 504 of a deliberately slow request): kept, but not the endpoint's latency. */
  readonly errorPath?: true;
}

/** Appends to the run record's latency log when the suite runs under `gauntlet run` (GAUNTLET_RUN_DIR). */
export function recordLatency(sample: LatencySample): void {
  const dir = process.env.GAUNTLET_RUN_DIR;
  if (dir) appendFileSync(join(dir, LATENCY_LOG), `${JSON.stringify(sample)}\n`);
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Per-endpoint latency of the suites' gateway requests (the run dir's latency log, error-path probes left out), for summary.json. */
export function summarizeLatency(runDir: string): LatencySection | undefined {
  const file = join(runDir, LATENCY_LOG);
  if (!existsSync(file)) return undefined;
  const byEndpoint = new Map<string, LatencySample[]>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    const sample = JSON.parse(line) as LatencySample;
    if (sample.errorPath) continue;
    byEndpoint.set(sample.endpoint, [...(byEndpoint.get(sample.endpoint) ?? []), sample]);
  }
  const endpoints = [...byEndpoint].map(([endpoint, samples]) => {
    const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
    return {
      endpoint,
      count: samples.length,
      errors: samples.filter((sample) => sample.status >= 500).length,
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted.at(-1) ?? 0),
    };
  });
  return { endpoints: endpoints.sort((a, b) => a.endpoint.localeCompare(b.endpoint)) };
}
