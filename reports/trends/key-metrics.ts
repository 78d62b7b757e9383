import { z } from "zod";
import type { LatencyHistogram, Summary, TimePoint } from "../../harness/record/index.ts";
import { nearestRank } from "../../lib/percentile/index.ts";

export const METRICS_SCHEMA_VERSION = "gauntlet.metrics/v1";

export const MetricKind = z.enum(["latency", "throughput", "count"]);
export type MetricKind = z.infer<typeof MetricKind>;

export const KeyMetric = z.object({
  id: z.string().min(1),
  label: z.string().min(1),
  kind: MetricKind,
  unit: z.string(),
  value: z.number(),
});
export type KeyMetric = z.infer<typeof KeyMetric>;

/** What a run is compared on; also the content of `reports/baselines/baseline.json`. */
export const RunMetrics = z.object({
  schema: z.literal(METRICS_SCHEMA_VERSION),
  runId: z.string(),
  startedAt: z.string(),
  profile: z.string(),
  verdict: z.enum(["pass", "fail", "error"]),
  metrics: z.array(KeyMetric),
  failures: z.array(z.string()),
});
export type RunMetrics = z.infer<typeof RunMetrics>;

/**
 * The figures a regression shows in: p99 per endpoint, load throughput and p99, failover
 * checker counts and unavailability, and the names of everything that failed.
 */
export function keyMetrics(summary: Summary): RunMetrics {
  const metrics: KeyMetric[] = [];
  for (const endpoint of summary.latency?.endpoints ?? []) {
    metrics.push({
      id: `latency.${endpoint.endpoint}.p99`,
      label: `${endpoint.endpoint} p99`,
      kind: "latency",
      unit: "ms",
      value: endpoint.p99,
    });
  }
  const load = summary.load;
  if (load) {
    for (const scenario of load.scenarios) {
      if (scenario.iterations !== undefined && scenario.durationS) {
        metrics.push({
          id: `load.${scenario.name}.throughput`,
          label: `${scenario.name} throughput`,
          kind: "throughput",
          unit: "ops/s",
          value: round(scenario.iterations / scenario.durationS),
        });
      }
    }
    if (load.timeSeries.length > 0) {
      metrics.push({
        id: "load.throughput",
        label: "load throughput (mean)",
        kind: "throughput",
        unit: "ops/s",
        value: round(meanRate(load.timeSeries)),
      });
    }
    for (const histogram of load.histograms ?? []) {
      const p99 = histogramPercentile(histogram, 99);
      if (p99 !== undefined)
        metrics.push({ id: `load.${histogram.metric}.p99`, label: `${histogram.metric} p99`, kind: "latency", unit: "ms", value: p99 });
    }
    if (!load.histograms?.length && load.timeSeries.length > 0) {
      metrics.push({
        id: "load.p99",
        label: "load p99 (median of per-second p99)",
        kind: "latency",
        unit: "ms",
        value: median(load.timeSeries.map((p) => p.p99)),
      });
    }
  }
  for (const experiment of summary.failover?.experiments ?? []) {
    for (const [checker, value] of Object.entries(experiment.checkers)) {
      metrics.push({
        id: `failover.${experiment.name}.${checker}`,
        label: `${experiment.name}: ${checker}`,
        ...checkerFigure(checker),
        value,
      });
    }
    if (experiment.maxUnavailableMs !== undefined) {
      metrics.push({
        id: `failover.${experiment.name}.unavailable`,
        label: `${experiment.name}: longest unavailability`,
        kind: "latency",
        unit: "ms",
        value: experiment.maxUnavailableMs,
      });
    }
  }
  const failedTests = summary.suites.flatMap((suite) => suite.tests.filter((test) => test.state === "failed"));
  metrics.push({ id: "tests.failed", label: "failed tests", kind: "count", unit: "", value: failedTests.length });
  return {
    schema: METRICS_SCHEMA_VERSION,
    runId: summary.runId,
    startedAt: summary.startedAt,
    profile: summary.profile,
    verdict: summary.verdict,
    metrics,
    failures: failureNames(summary),
  };
}

/** Everything that failed in a run, named so the same failure has the same name next run. */
export function failureNames(summary: Summary): string[] {
  const names: string[] = [];
  for (const suite of summary.suites) {
    const failed = suite.tests.filter((test) => test.state === "failed");
    for (const test of failed) names.push(`${suite.name}: ${test.fullName || test.name}`);
    if (suite.verdict !== "pass" && failed.length === 0) names.push(`${suite.name}: suite ${suite.verdict}`);
  }
  for (const experiment of summary.failover?.experiments ?? []) {
    if (experiment.verdict !== "pass") names.push(`failover: ${experiment.name}`);
  }
  for (const threshold of summary.load?.thresholds ?? []) {
    if (!threshold.pass)
      names.push(`load: ${threshold.scenario ? `${threshold.scenario} ` : ""}${threshold.metric} ${threshold.expression}`);
  }
  return names;
}

/**
 * How a checker's figure is judged: a duration (`gatewayUnavailableMs`) as a latency, the writes a
 * workload got acknowledged during its fixed window as a throughput, everything else (lost,
 * duplicated, recovered…) as a count that regresses on any rise.
 */
function checkerFigure(checker: string): Pick<KeyMetric, "kind" | "unit"> {
  if (checker.endsWith("Ms")) return { kind: "latency", unit: "ms" };
  if (checker === "acknowledged") return { kind: "throughput", unit: "" };
  return { kind: "count", unit: "" };
}

function meanRate(points: TimePoint[]): number {
  return points.reduce((total, point) => total + point.rate, 0) / points.length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** The upper bound of the bucket holding the given percentile (nearest rank, as everywhere else). */
export function histogramPercentile(histogram: LatencyHistogram, percentile: number): number | undefined {
  const buckets = [...histogram.buckets].sort((a, b) => a.upToMs - b.upToMs);
  const total = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  if (total === 0) return undefined;
  const rank = nearestRank(percentile, total);
  let seen = 0;
  for (const bucket of buckets) {
    seen += bucket.count;
    if (seen >= rank) return bucket.upToMs;
  }
  return buckets.at(-1)?.upToMs;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
