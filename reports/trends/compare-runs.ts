import type { Summary } from "../../harness/record/index.ts";
import { type KeyMetric, keyMetrics, type MetricKind, type RunMetrics } from "./key-metrics.ts";

/** How much worse a figure may get before it counts as a regression, in percent. */
export interface Tolerances {
  /** Latency (p99, unavailability) may grow by this much. Default 20. */
  readonly latencyIncreasePct: number;
  /** Throughput may drop by this much. Default 10. */
  readonly throughputDropPct: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { latencyIncreasePct: 20, throughputDropPct: 10 };

export type MetricStatus = "regressed" | "improved" | "unchanged" | "new" | "gone";

export interface MetricComparison {
  readonly id: string;
  readonly label: string;
  readonly kind: MetricKind;
  readonly unit: string;
  readonly current: number | undefined;
  readonly previous: number | undefined;
  /** Change relative to the previous value, in percent; null when there is no base to compare with. */
  readonly changePct: number | null;
  readonly status: MetricStatus;
}

export interface Comparison {
  readonly currentRunId: string;
  readonly previousRunId: string;
  readonly tolerances: Tolerances;
  readonly metrics: MetricComparison[];
  /** Failing now, passing (or absent) before. */
  readonly newFailures: string[];
  readonly stillFailing: string[];
  /** Failing before, not failing now. */
  readonly fixed: string[];
  /** One line per regression, for the verdict and the console. */
  readonly regressions: string[];
  readonly regressed: boolean;
}

/**
 * Compares two runs' key metrics: latency regresses above +20 %, throughput below -10 %, a
 * checker count or failure count on any increase, and every failure that is new is a regression.
 */
export function compareRuns(
  current: Summary | RunMetrics,
  previous: Summary | RunMetrics,
  tolerances: Partial<Tolerances> = {},
): Comparison {
  const limits = { ...DEFAULT_TOLERANCES, ...tolerances };
  const now = asMetrics(current);
  const before = asMetrics(previous);
  const previousById = new Map(before.metrics.map((metric) => [metric.id, metric]));
  const currentIds = new Set(now.metrics.map((metric) => metric.id));
  const metrics: MetricComparison[] = now.metrics.map((metric) => compareMetric(metric, previousById.get(metric.id), limits));
  for (const gone of before.metrics.filter((metric) => !currentIds.has(metric.id))) {
    metrics.push({ ...describe(gone), current: undefined, previous: gone.value, changePct: null, status: "gone" });
  }
  const failedBefore = new Set(before.failures);
  const failedNow = new Set(now.failures);
  const newFailures = now.failures.filter((name) => !failedBefore.has(name));
  const regressions = [
    ...newFailures.map((name) => `new failure: ${name}`),
    ...metrics.filter((metric) => metric.status === "regressed").map(regressionLine),
  ];
  return {
    currentRunId: now.runId,
    previousRunId: before.runId,
    tolerances: limits,
    metrics,
    newFailures,
    stillFailing: now.failures.filter((name) => failedBefore.has(name)),
    fixed: before.failures.filter((name) => !failedNow.has(name)),
    regressions,
    regressed: regressions.length > 0,
  };
}

function asMetrics(run: Summary | RunMetrics): RunMetrics {
  return "metrics" in run ? run : keyMetrics(run);
}

function describe(metric: KeyMetric) {
  return { id: metric.id, label: metric.label, kind: metric.kind, unit: metric.unit };
}

function compareMetric(metric: KeyMetric, previous: KeyMetric | undefined, limits: Tolerances): MetricComparison {
  if (!previous) return { ...describe(metric), current: metric.value, previous: undefined, changePct: null, status: "new" };
  const changePct = previous.value === 0 ? null : ((metric.value - previous.value) / previous.value) * 100;
  return {
    ...describe(metric),
    current: metric.value,
    previous: previous.value,
    changePct,
    status: statusOf(metric, previous.value, changePct, limits),
  };
}

function statusOf(metric: KeyMetric, previous: number, changePct: number | null, limits: Tolerances): MetricStatus {
  switch (metric.kind) {
    case "count":
      return metric.value > previous ? "regressed" : metric.value < previous ? "improved" : "unchanged";
    case "latency":
      if (changePct === null) return metric.value > 0 ? "regressed" : "unchanged";
      return changePct > limits.latencyIncreasePct ? "regressed" : changePct < -limits.latencyIncreasePct ? "improved" : "unchanged";
    case "throughput":
      if (changePct === null) return metric.value > 0 ? "improved" : "unchanged";
      return changePct < -limits.throughputDropPct ? "regressed" : changePct > limits.throughputDropPct ? "improved" : "unchanged";
  }
}

function regressionLine(metric: MetricComparison): string {
  const change = metric.changePct === null ? "" : ` (${metric.changePct > 0 ? "+" : ""}${metric.changePct.toFixed(1)} %)`;
  return `${metric.label}: ${format(metric.previous)} → ${format(metric.current)}${metric.unit ? ` ${metric.unit}` : ""}${change}`;
}

function format(value: number | undefined): string {
  if (value === undefined) return "–";
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
