import { describe, expect, it } from "vitest";
import { arrivalCount, arrivalOffsets, normalizeScenarios, steppedStages } from "../../harness/load/index.ts";

const FILE = "suites/load/example.ts";
const offsets = (options: unknown, worker = 0, workers = 1) => {
  const [scenario] = normalizeScenarios(FILE, options);
  if (!scenario || !("segments" in scenario)) throw new Error("expected an arrival-rate scenario");
  return [...arrivalOffsets(scenario.segments, worker, workers)];
};

describe("arrival schedules", () => {
  it("a VUs override sets closed-model vus and caps an arrival rate's VUs, as `--vus`", () => {
    const [closed, open] = normalizeScenarios(
      FILE,
      {
        scenarios: {
          c: { executor: "constant-vus", vus: 10, duration: "1s" },
          o: { executor: "constant-arrival-rate", rate: 10, duration: "1s", preAllocatedVUs: 20, maxVUs: 200 },
        },
      },
      { vus: 5 },
    );
    expect(closed).toMatchObject({ vus: 5 });
    expect(open).toMatchObject({ preAllocatedVUs: 5, maxVUs: 5 });
  });

  it("constant-arrival-rate starts iteration i at exactly i / rate", () => {
    const times = offsets({ scenarios: { a: { executor: "constant-arrival-rate", rate: 10, duration: "1s", preAllocatedVUs: 1 } } });
    expect(times).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it("honours timeUnit: 30 per minute is one every 2 s", () => {
    const times = offsets({
      scenarios: { a: { executor: "constant-arrival-rate", rate: 30, timeUnit: "1m", duration: "10s", preAllocatedVUs: 1 } },
    });
    expect(times).toEqual([0, 2000, 4000, 6000, 8000]);
  });

  it("ramping-arrival-rate follows the integral of a linear ramp", () => {
    // 0 → 10/s over 2 s: N(t) = 2.5 t², so arrival i is at sqrt(i / 2.5) s; 10 arrivals in all.
    const times = offsets({
      scenarios: { r: { executor: "ramping-arrival-rate", stages: [{ target: 10, duration: "2s" }], preAllocatedVUs: 1 } },
    });
    expect(times).toHaveLength(10);
    for (const [i, t] of times.entries()) expect(t).toBeCloseTo(Math.sqrt(i / 2.5) * 1000, 6);
  });

  it("a stepped ramp jumps to each rate and holds it", () => {
    const stages = steppedStages({ startRate: 2, step: 2, steps: 2, hold: "1s" });
    const times = offsets({ scenarios: { s: { executor: "ramping-arrival-rate", stages, preAllocatedVUs: 1 } } });
    expect(times).toEqual([0, 500, 1000, 1250, 1500, 1750]);
  });

  it("workers together produce exactly the single-process schedule", () => {
    const options = {
      scenarios: {
        r: {
          executor: "ramping-arrival-rate",
          startRate: 5,
          stages: [
            { target: 50, duration: "3s" },
            { target: 20, duration: "2s" },
          ],
          preAllocatedVUs: 3,
        },
      },
    };
    const single = offsets(options);
    const merged = [0, 1, 2].flatMap((w) => offsets(options, w, 3)).sort((a, b) => a - b);
    expect(merged).toEqual(single);
    const [scenario] = normalizeScenarios(FILE, options);
    expect(single).toHaveLength(arrivalCount(scenario && "segments" in scenario ? scenario.segments : []));
  });

  it("--rate and --duration override a constant rate and scale a ramp", () => {
    const [constant] = normalizeScenarios(
      FILE,
      { scenarios: { a: { executor: "constant-arrival-rate", rate: 10, duration: "1m", preAllocatedVUs: 1 } } },
      { rate: 4, durationMs: 1000 },
    );
    expect(constant && "segments" in constant ? [...arrivalOffsets(constant.segments)] : []).toEqual([0, 250, 500, 750]);
    const [ramp] = normalizeScenarios(
      FILE,
      {
        scenarios: {
          r: {
            executor: "ramping-arrival-rate",
            stages: [
              { target: 100, duration: "10s" },
              { target: 50, duration: "10s" },
            ],
            preAllocatedVUs: 1,
          },
        },
      },
      { rate: 10, durationMs: 2000 },
    );
    expect(ramp && "segments" in ramp ? ramp.segments : []).toEqual([
      { from: 0, to: 10, durationMs: 1000 },
      { from: 10, to: 5, durationMs: 1000 },
    ]);
  });

  it("rejects a bad executor option naming the file and the field", () => {
    expect(() =>
      normalizeScenarios(FILE, {
        scenarios: { a: { executor: "constant-arrival-rate", rate: 10, duration: "ten seconds", preAllocatedVUs: 1 } },
      }),
    ).toThrow('suites/load/example.ts:options.scenarios.a.duration: expected a duration like 500ms, 30s, 1m30s or 2h, got "ten seconds"');
    expect(() => normalizeScenarios(FILE, { scenarios: { a: { executor: "shared-iterations", vus: 1 } } })).toThrow(
      "suites/load/example.ts:options.scenarios.a.executor: expected one of constant-arrival-rate, ramping-arrival-rate, constant-vus, per-vu-iterations",
    );
    expect(() =>
      normalizeScenarios(FILE, {
        scenarios: { a: { executor: "constant-arrival-rate", rate: 10, duration: "1s", preAllocatedVUs: 5, maxVUs: 2 } },
      }),
    ).toThrow("options.scenarios.a.maxVUs: must be at least 5, got 2");
  });
});
