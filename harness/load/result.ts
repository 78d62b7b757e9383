import type { Histogram } from "hdr-histogram-js";
import type { AgentReport } from "./agents/agent-report.ts";
import { encodeHistogram, trendStat } from "./histogram.ts";
import type { MetricStore, MetricType, Tags } from "./metrics.ts";
import type { ResourceUsage } from "./resources.ts";
import type { ThresholdResult } from "./thresholds.ts";

export interface TrendSummary {
  count: number;
  avg: number;
  min: number;
  med: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface MetricSummary {
  type: MetricType;
  trend?: TrendSummary;
  count?: number;
  perSecond?: number;
  rate?: number;
  passes?: number;
  total?: number;
}

/** One second of the run; everything is filed under the second its iteration was scheduled for. */
export interface SecondPoint {
  /** Second of the run (0 = first). */
  t: number;
  /** Arrivals the arrival-rate scenarios intended in this second (0 for VU executors). */
  targetRate: number;
  /** Iterations scheduled in this second that started (the achieved rate); the rest are `dropped`. */
  started: number;
  completed: number;
  requests: number;
  errors: number;
  dropped: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface SerializedHistogram {
  metric: string;
  tags: Tags;
  count: number;
  /** hdr-histogram-js compressed base64, values in microseconds. */
  encoded: string;
}

/** What a run produces; stored in the run record as `load.json`. */
export interface LoadResult {
  schema: "gauntlet.load/v1";
  file: string;
  startedAt: string;
  durationMs: number;
  workers: number;
  scenarios: { name: string; executor: string; durationMs: number; startMs: number }[];
  /** Why the run stopped early (abortOnFail threshold, interrupt), or null. */
  aborted: string | null;
  passed: boolean;
  /** 0, 99 when a threshold failed (as k6), 1 when an agent was lost. */
  exitCode: number;
  thresholds: ThresholdResult[];
  metrics: Record<string, MetricSummary>;
  histograms: SerializedHistogram[];
  /** Counters and rates per tag set, as recorded. */
  tagged: {
    counters: { metric: string; tags: Tags; value: number }[];
    rates: { metric: string; tags: Tags; passes: number; total: number }[];
  };
  series: SecondPoint[];
  resources: ResourceUsage;
  /** With agents: each one's share of the load, what it did, its CPU and memory, and whether it kept up. */
  agents?: AgentReport[];
  /** What the scenario's `summarize` export returned, if it has one. */
  report?: unknown;
}

export function trendSummary(histogram: Histogram): TrendSummary {
  return {
    count: histogram.totalCount,
    avg: trendStat(histogram, "avg"),
    min: trendStat(histogram, "min"),
    med: trendStat(histogram, "med"),
    p90: trendStat(histogram, "p(90)"),
    p95: trendStat(histogram, "p(95)"),
    p99: trendStat(histogram, "p(99)"),
    max: trendStat(histogram, "max"),
  };
}

export function summarizeMetrics(store: MetricStore, elapsedMs: number): Record<string, MetricSummary> {
  const names = new Set([...store.trends.values(), ...store.counters.values(), ...store.rates.values()].map((e) => e.name));
  const out: Record<string, MetricSummary> = {};
  for (const name of [...names].sort()) {
    const q = store.query(name);
    if (!q) continue;
    if (q.type === "trend") out[name] = { type: "trend", trend: trendSummary(q.histogram) };
    else if (q.type === "counter") out[name] = { type: "counter", count: q.count, perSecond: q.count / Math.max(elapsedMs / 1000, 1e-9) };
    else out[name] = { type: "rate", rate: q.total ? q.passes / q.total : 0, passes: q.passes, total: q.total };
  }
  return out;
}

export function serializeHistograms(store: MetricStore): SerializedHistogram[] {
  return [...store.trends.values()].map((e) => ({
    metric: e.name,
    tags: e.tags,
    count: e.histogram.totalCount,
    encoded: encodeHistogram(e.histogram),
  }));
}

export function taggedValues(store: MetricStore): LoadResult["tagged"] {
  return {
    counters: [...store.counters.values()].map((e) => ({ metric: e.name, tags: e.tags, value: e.value })),
    rates: [...store.rates.values()].map((e) => ({ metric: e.name, tags: e.tags, passes: e.passes, total: e.total })),
  };
}
