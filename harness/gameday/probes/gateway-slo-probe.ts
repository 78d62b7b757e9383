import type { LoadWindow } from "../background-load.ts";
import type { Probe } from "../schema.ts";
import { deviated, held, type ProbeContext, type ProbeResult } from "./probe-context.ts";

type Spec = NonNullable<Probe["gateway_slo"]>;

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

function describe(window: LoadWindow): string {
  const p99 = window.p99 === null ? "-" : `${window.p99.toFixed(1)} ms`;
  return `${window.requests} requests in s ${window.fromSecond}–${window.toSecond} of the load: p99 ${p99}, errors ${percent(window.errorRate)}`;
}

function problemsOf(spec: Spec, window: LoadWindow): string[] {
  return [
    ...(spec.max_p99 !== undefined && window.p99 !== null && window.p99 > spec.max_p99
      ? [`p99 ${window.p99.toFixed(1)} ms > ${spec.max_p99} ms`]
      : []),
    ...(spec.max_error_rate !== undefined && window.errorRate > spec.max_error_rate
      ? [`error rate ${percent(window.errorRate)} > ${percent(spec.max_error_rate)}`]
      : []),
  ];
}

/**
 * A background load's p99 and error rate over a sliding `window`, from the load engine's
 * per-second metrics: the latest whole window while the load runs; every window of the run once
 * it ended (the first one out of tolerance is the deviation).
 */
export async function gatewaySloProbe(spec: Spec, context: ProbeContext): Promise<ProbeResult> {
  const load = context.loads.get(spec.load);
  if (!load) return held(null, `load ${spec.load} not started: nothing to judge`);
  if (load.failure) return deviated(null, `load ${spec.load} failed: ${load.failure}`);
  const windows = load.windows(spec.window);
  const latest = windows.at(-1);
  if (!latest) return held(null, `load ${spec.load}: not yet ${spec.window / 1000} s of answers to judge`);
  for (const window of windows) {
    const problems = problemsOf(spec, window);
    if (problems.length > 0) return deviated(window.errorRate, `${problems.join("; ")} (${describe(window)})`);
  }
  const scope = load.running ? describe(latest) : `every ${spec.window / 1000} s window of the load held; last: ${describe(latest)}`;
  return held(latest.errorRate, scope);
}
