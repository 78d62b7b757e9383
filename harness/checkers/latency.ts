import { percentile } from "../../lib/percentile/index.ts";
import { faultWindows, type History, insideAny, pairOperations } from "../history/index.ts";
import { type CheckResult, nsToMs, type Validity } from "./result.ts";

export interface LatencyCheckerOptions {
  /** Only these operation names (default: every client operation). */
  readonly fs?: readonly string[];
  /** Count failed and unknown operations too (default: successes only; unknown ones have no end). */
  readonly includeFailures?: boolean;
  /** Overall p99 above this fails the check. */
  readonly maxP99Ns?: number;
}

export interface LatencyStats {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface LatencyGroup {
  readonly all: LatencyStats;
  /** Operations invoked inside a fault window. */
  readonly faulted: LatencyStats;
  /** Operations invoked outside every fault window. */
  readonly quiet: LatencyStats;
}

export interface WindowLatency {
  readonly fault: string;
  readonly target: unknown;
  readonly start: number;
  readonly stop: number;
  /** Operations invoked inside this window. */
  readonly stats: LatencyStats;
}

export interface LatencyDetails {
  readonly overall: LatencyGroup;
  readonly byF: Readonly<Record<string, LatencyGroup>>;
  readonly byWindow: readonly WindowLatency[];
}

/** Percentiles (nearest rank, as the load engine's), in nanoseconds. */
export function latencyStats(samples: Float64Array): LatencyStats {
  const count = samples.length;
  if (count === 0) return { count: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = samples.slice().sort();
  return { count, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[count - 1] as number };
}

class Samples {
  readonly all: number[] = [];
  readonly faulted: number[] = [];
  readonly quiet: number[] = [];

  add(latency: number, faulted: boolean): void {
    this.all.push(latency);
    (faulted ? this.faulted : this.quiet).push(latency);
  }

  stats(): LatencyGroup {
    return {
      all: latencyStats(Float64Array.from(this.all)),
      faulted: latencyStats(Float64Array.from(this.faulted)),
      quiet: latencyStats(Float64Array.from(this.quiet)),
    };
  }
}

/** Latency percentiles (p50/p90/p99/max) per operation and overall, inside fault windows and in quiet time. */
export function checkLatency(history: History, options: LatencyCheckerOptions = {}): CheckResult<LatencyDetails> {
  const only = options.fs ? new Set(options.fs) : undefined;
  const windows = faultWindows(history);
  const overall = new Samples();
  const byF = new Map<string, Samples>();
  const byWindow = windows.map(() => [] as number[]);
  for (const operation of pairOperations(history)) {
    if (only && !only.has(operation.f)) continue;
    if (operation.completeTime === undefined) continue;
    if (operation.type !== "ok" && !options.includeFailures) continue;
    const latency = operation.completeTime - operation.invokeTime;
    const faulted = insideAny(windows, operation.invokeTime);
    if (faulted) {
      windows.forEach((window, i) => {
        if (operation.invokeTime >= window.start && operation.invokeTime <= window.stop) byWindow[i]?.push(latency);
      });
    }
    overall.add(latency, faulted);
    const samples = byF.get(operation.f) ?? new Samples();
    byF.set(operation.f, samples);
    samples.add(latency, faulted);
  }
  const details: LatencyDetails = {
    overall: overall.stats(),
    byF: Object.fromEntries([...byF].map(([f, samples]) => [f, samples.stats()])),
    byWindow: windows.map((window, i) => ({
      fault: window.fault,
      target: window.target,
      start: window.start,
      stop: window.stop,
      stats: latencyStats(Float64Array.from(byWindow[i] ?? [])),
    })),
  };
  const { all, faulted, quiet } = details.overall;
  let valid: Validity;
  let reason: string;
  if (all.count === 0) {
    valid = "unknown";
    reason = "no completed operations to measure";
  } else if (options.maxP99Ns !== undefined && all.p99 > options.maxP99Ns) {
    valid = false;
    reason = `p99 ${nsToMs(all.p99)} above ${nsToMs(options.maxP99Ns)}`;
  } else {
    valid = true;
    reason = `p50 ${nsToMs(all.p50)}, p99 ${nsToMs(all.p99)}, max ${nsToMs(all.max)}; p99 quiet ${nsToMs(quiet.p99)} vs faulted ${nsToMs(faulted.p99)}`;
  }
  return {
    checker: "latency",
    valid,
    reason,
    counts: { operations: all.count, faulted: faulted.count, quiet: quiet.count, p50Ns: all.p50, p99Ns: all.p99, maxNs: all.max },
    details,
  };
}
