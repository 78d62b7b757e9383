import { describe, expect, it } from "vitest";
import { judgeExperiment, measurementResolution } from "../../harness/checkers/index.ts";
import { OP, PROBE } from "../../harness/history/index.ts";
import { ms, ScriptedHistory } from "./support/scripted-history.ts";

/** Two publishers, each attempting every 20 ms, 10 ms apart from each other; from `holeFrom` nobody attempts for `hole` ms. */
function publishes(h: ScriptedHistory, until: number, holeFrom = Number.POSITIVE_INFINITY, hole = 0) {
  let n = 0;
  for (let t = 0; t < until; t += 10) {
    if (t >= holeFrom && t < holeFrom + hole) continue;
    h.op(`x/js-pub-${(t / 10) % 2}`, OP.publish, { id: `m${n++}`, stream: "S" }, { type: "ok" }, t, t + 2);
  }
}

function experimentHistory(boundMs: number) {
  const h = new ScriptedHistory();
  h.probe(
    PROBE.experiment,
    {
      experiment: "x",
      fault: "none",
      stream: "S",
      replicas: 3,
      storage: "file",
      expectedInstances: {},
      reconnectBoundNs: ms(30_000),
      graceNs: ms(10_000),
      resolutionBoundNs: ms(boundMs),
    },
    0,
  );
  return h;
}

describe("measurement resolution", () => {
  it("is the widest gap between consecutive attempts of all clients merged, with where it opens and the p99 of the gaps", () => {
    const steady = new ScriptedHistory();
    publishes(steady, 2_000);
    expect(measurementResolution(steady.entries, OP.publish)).toEqual({
      attempts: 200,
      widestGapNs: ms(10),
      widestGapAtNs: 0,
      p99GapNs: ms(10),
    });

    const stalled = new ScriptedHistory();
    publishes(stalled, 2_000, 1_000, 300);
    const resolution = measurementResolution(stalled.entries, OP.publish);
    expect(resolution).toMatchObject({ attempts: 170, widestGapNs: ms(310), widestGapAtNs: ms(990), p99GapNs: ms(10) });
    expect(measurementResolution(stalled.entries, OP.gatewayRequest)).toBeNull();
  });

  it("makes the verdict state it, and warn (never fail) when attempts were spaced wider than the experiment's bound", () => {
    const fine = experimentHistory(50);
    publishes(fine, 2_000, 1_000, 30);
    const within = judgeExperiment(fine.entries);
    expect(within.resolution).toEqual({
      jetstream: { attempts: 197, widestGapMs: 40, p99GapMs: 10, widestGapAtMs: 990 },
      boundMs: 50,
    });
    expect(within.warnings).toEqual([]);

    const coarse = experimentHistory(50);
    publishes(coarse, 2_000, 1_000, 300);
    const verdict = judgeExperiment(coarse.entries);
    expect(verdict.resolution.jetstream?.widestGapMs).toBe(310);
    expect(verdict.warnings).toEqual([
      "resolution: publish attempts up to 310 ms apart (bound 50 ms): JetStream's unavailability is measured to within that",
    ]);
    expect(verdict.causes).toEqual(judgeExperiment(fine.entries).causes);
  });
});
