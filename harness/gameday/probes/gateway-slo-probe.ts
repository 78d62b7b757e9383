import type { Probe } from "../schema.ts";
import { deviated, held, type ProbeContext, type ProbeResult } from "./probe-context.ts";

/** A background load's p99 and error rate (5xx and no answer) over the last `window`. */
export async function gatewaySloProbe(spec: NonNullable<Probe["gateway_slo"]>, context: ProbeContext): Promise<ProbeResult> {
  const load = context.loads.get(spec.load);
  if (!load?.running) return held(null, `load ${spec.load} not running: nothing to judge`);
  const window = load.window(spec.window);
  const summary = `${window.requests} requests in ${spec.window / 1000} s: p99 ${window.p99.toFixed(0)} ms, errors ${(window.errorRate * 100).toFixed(1)}%`;
  const problems = [
    ...(spec.max_p99 !== undefined && window.p99 > spec.max_p99 ? [`p99 ${window.p99.toFixed(0)} ms > ${spec.max_p99} ms`] : []),
    ...(spec.max_error_rate !== undefined && window.errorRate > spec.max_error_rate
      ? [`error rate ${(window.errorRate * 100).toFixed(1)}% > ${(spec.max_error_rate * 100).toFixed(1)}%`]
      : []),
  ];
  return problems.length === 0 ? held(window.errorRate, summary) : deviated(window.errorRate, `${problems.join("; ")} (${summary})`);
}
