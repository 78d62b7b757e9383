import type { SummarizeView } from "./run-load.ts";

/** Stages of a ramping-arrival-rate scenario that jumps to each rate and holds it. */
export function steppedStages(options: {
  startRate: number;
  step: number;
  steps: number;
  hold: string;
}): { target: number; duration: string }[] {
  const stages: { target: number; duration: string }[] = [];
  for (let i = 0; i < options.steps; i++) {
    const rate = options.startRate + i * options.step;
    stages.push({ target: rate, duration: "0s" }, { target: rate, duration: options.hold });
  }
  return stages;
}

export interface SaturationStep {
  rate: number;
  achievedRate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** (errors + dropped) / (requests + dropped). */
  errorRate: number;
  passed: boolean;
}

export interface SaturationReport {
  sloP99Ms: number;
  maxErrorRate: number;
  steps: SaturationStep[];
  /** Highest step rate with p99 within the SLO and errors under the limit (null if none). */
  saturationRate: number | null;
  firstFailingRate: number | null;
  /** Why there is no verdict, or why the verdict deserves a second look. */
  note?: string;
}

/**
 * Judges each held step of a stepped ramp. The first `settleSeconds` of a step are skipped so
 * the backlog of the previous step does not count against it.
 */
export function findSaturation(
  view: SummarizeView,
  scenarioName: string,
  criteria: { sloP99Ms: number; maxErrorRate?: number; settleSeconds?: number },
): SaturationReport {
  const maxErrorRate = criteria.maxErrorRate ?? 0.01;
  const settle = criteria.settleSeconds ?? 1;
  const scenario = view.scenarios.find((s) => s.name === scenarioName);
  if (scenario?.executor !== "ramping-arrival-rate")
    throw new Error(`findSaturation: no ramping-arrival-rate scenario named '${scenarioName}'`);
  const steps: SaturationStep[] = [];
  let offsetMs = scenario.startMs;
  for (const segment of scenario.segments) {
    const held = segment.from === segment.to && segment.durationMs >= 1000 * (settle + 1);
    if (held) {
      const from = Math.ceil(offsetMs / 1000) + settle;
      const to = Math.floor((offsetMs + segment.durationMs) / 1000);
      const w = view.window(from, to);
      const passed = w.p99Ms !== null && w.p99Ms <= criteria.sloP99Ms && w.errorRate < maxErrorRate && w.ratePerSecond >= 0.9 * segment.to;
      steps.push({ rate: segment.to, achievedRate: w.ratePerSecond, p50Ms: w.p50Ms, p99Ms: w.p99Ms, errorRate: w.errorRate, passed });
    }
    offsetMs += segment.durationMs;
  }
  if (steps.length === 0) {
    return {
      sloP99Ms: criteria.sloP99Ms,
      maxErrorRate,
      steps,
      saturationRate: null,
      firstFailingRate: null,
      note: `no step holds its rate for ${settle + 1} s or more (the first ${settle} s of a step are skipped): lengthen the ramp (--duration)`,
    };
  }
  const passing = steps.filter((s) => s.passed);
  const saturationRate = passing.at(-1)?.rate ?? null;
  const failedBelow = steps.filter((s) => !s.passed && saturationRate !== null && s.rate < saturationRate);
  return {
    sloP99Ms: criteria.sloP99Ms,
    maxErrorRate,
    steps,
    saturationRate,
    firstFailingRate: steps.find((s) => !s.passed)?.rate ?? null,
    ...(failedBelow.length
      ? {
          note: `step(s) at ${failedBelow.map((s) => s.rate).join(", ")}/s failed below the saturation rate: a transient on the system or this machine? rerun to confirm`,
        }
      : {}),
  };
}
