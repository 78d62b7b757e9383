import { describe, expect, it } from "vitest";
import { findSaturation, normalizeScenarios, type SummarizeView, steppedStages, type WindowStats } from "../../harness/load/index.ts";

/** Per-second windows from a table of (rate → p99, error rate), as a run's store would give them. */
function view(holdSeconds: number, perStep: { p99: number; errors?: number; achieved?: number }[]): SummarizeView {
  const rates = perStep.map((_, i) => 100 * (i + 1));
  const scenarios = normalizeScenarios("suites/load/saturation.ts", {
    scenarios: {
      ramp: {
        executor: "ramping-arrival-rate",
        stages: steppedStages({ startRate: 100, step: 100, steps: rates.length, hold: `${holdSeconds}s` }),
        preAllocatedVUs: 1,
      },
    },
  });
  return {
    scenarios,
    env: {},
    window(from: number): WindowStats {
      const index = Math.floor(from / holdSeconds);
      const step = perStep[index] ?? { p99: 0 };
      const rate = rates[index] ?? 0;
      return {
        seconds: 1,
        started: step.achieved ?? rate,
        requests: rate,
        errors: (step.errors ?? 0) * rate,
        dropped: 0,
        errorRate: step.errors ?? 0,
        ratePerSecond: step.achieved ?? rate,
        p50Ms: step.p99 / 2,
        p99Ms: step.p99,
      };
    },
  };
}

describe("saturation finder", () => {
  it("reports the highest rate within the SLO and the error limit", () => {
    const report = findSaturation(view(3, [{ p99: 10 }, { p99: 20 }, { p99: 40 }, { p99: 400 }, { p99: 900, errors: 0.2 }]), "ramp", {
      sloP99Ms: 50,
    });
    expect(report.steps.map((s) => [s.rate, s.passed])).toEqual([
      [100, true],
      [200, true],
      [300, true],
      [400, false],
      [500, false],
    ]);
    expect(report).toMatchObject({ saturationRate: 300, firstFailingRate: 400 });
    expect(report.note).toBeUndefined();
  });

  it("fails a step whose errors reach 1 % or whose achieved rate falls short, even with a good p99", () => {
    const report = findSaturation(view(3, [{ p99: 10 }, { p99: 10, errors: 0.01 }, { p99: 10, achieved: 150 }]), "ramp", { sloP99Ms: 50 });
    expect(report.steps.map((s) => s.passed)).toEqual([true, false, false]);
    expect(report.saturationRate).toBe(100);
  });

  it("flags a failing step below the saturation rate as needing a rerun", () => {
    const report = findSaturation(view(3, [{ p99: 10 }, { p99: 80 }, { p99: 10 }]), "ramp", { sloP99Ms: 50 });
    expect(report.saturationRate).toBe(300);
    expect(report.note).toContain("step(s) at 200/s failed below the saturation rate");
  });

  it("says so when the steps are too short to judge", () => {
    const report = findSaturation(view(1, [{ p99: 10 }]), "ramp", { sloP99Ms: 50 });
    expect(report.saturationRate).toBeNull();
    expect(report.note).toContain("lengthen the ramp");
  });
});
