import { JsHistogram } from "hdr-histogram-js";
import type { AgentReport, UsageSample } from "../load/agents/index.ts";
import type { LoadResult } from "../load/index.ts";
import { decodeHistogram } from "../load/index.ts";
import type { LatencyHistogram, LoadAgent, LoadSection, TimePoint } from "../record/index.ts";

/** Upper bounds of the report's latency buckets; the last one holds everything slower. */
const BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 120_000];

/** A latency histogram (values in µs) as counts per bucket in ms, for the report. */
function toBuckets(metric: string, encoded: string): LatencyHistogram {
  const counts = BUCKETS_MS.map(() => 0);
  const histogram = decodeHistogram(encoded);
  if (!(histogram instanceof JsHistogram)) throw new Error(`${metric}: expected a JS histogram`);
  const values = histogram.recordedValuesIterator;
  values.reset();
  while (values.hasNext()) {
    const step = values.next();
    const index = BUCKETS_MS.findIndex((upToMs) => step.valueIteratedTo <= upToMs * 1000);
    const bucket = index === -1 ? counts.length - 1 : index;
    counts[bucket] = (counts[bucket] ?? 0) + step.countAddedInThisIterationStep;
  }
  return { metric, buckets: BUCKETS_MS.map((upToMs, i) => ({ upToMs, count: counts[i] ?? 0 })) };
}

/**
 * The load runs of a profile as the run record's `load` section: scenarios, per-second series
 * on the run's time axis (`offsetS` = when each run started, in seconds since the run began),
 * thresholds and the overall request-latency histogram of each run.
 */
export function toLoadSection(runs: ReadonlyArray<{ name: string; result: LoadResult; offsetS: number }>): LoadSection {
  const timeSeries: TimePoint[] = runs.flatMap(({ result, offsetS }) =>
    result.series.map((point) => ({
      t: offsetS + point.t,
      rate: point.completed,
      errors: point.errors,
      p50: point.p50Ms ?? 0,
      p99: point.p99Ms ?? 0,
    })),
  );
  return {
    scenarios: runs.flatMap(({ name, result }) =>
      result.scenarios.map((scenario) => ({
        name: `${name} › ${scenario.name}`,
        executor: scenario.executor,
        durationS: scenario.durationMs / 1000,
        iterations: result.metrics.iterations?.count ?? 0,
        droppedIterations: result.metrics.dropped_iterations?.count ?? 0,
        errors: Math.round((result.metrics.http_req_failed?.passes ?? 0) + (result.metrics.errors?.count ?? 0)),
      })),
    ),
    timeSeries,
    thresholds: runs.flatMap(({ name, result }) =>
      result.thresholds.map((threshold) => ({
        metric: threshold.key,
        expression: threshold.expression,
        pass: threshold.passed,
        actual: threshold.actual,
        scenario: name,
      })),
    ),
    histograms: runs.flatMap(({ name, result }) =>
      result.histograms.filter((h) => Object.keys(h.tags).length === 0).map((h) => toBuckets(`${name} ${h.metric}`, h.encoded)),
    ),
    ...(runs.some(({ result }) => result.agents)
      ? { agents: runs.flatMap(({ name, result }) => (result.agents ?? []).map((a) => toLoadAgent(name, a))) }
      : {}),
  };
}

function toLoadAgent(scenario: string, agent: AgentReport): LoadAgent {
  const peak = (pick: (s: UsageSample) => number) => agent.usage.reduce((max, s) => Math.max(max, pick(s)), 0);
  return {
    scenario,
    name: agent.name,
    host: agent.host,
    workers: agent.workers.length,
    share: agent.share,
    started: agent.started,
    dropped: agent.dropped,
    errors: agent.errors,
    cpuMaxPercent: peak((s) => s.cpuPercent),
    rssMaxBytes: peak((s) => s.rssBytes),
    behind: agent.behind,
  };
}
