import { existsSync, readFileSync } from "node:fs";
import type { LatencySection } from "../../reports/summary-schema.ts";

interface Sample {
  endpoint: string;
  ms: number;
  status: number;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** Per-endpoint latency of the suites' gateway requests (the latency log they append to), for summary.json. */
export function summarizeLatency(file: string): LatencySection | undefined {
  if (!existsSync(file)) return undefined;
  const byEndpoint = new Map<string, Sample[]>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    const sample = JSON.parse(line) as Sample;
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
