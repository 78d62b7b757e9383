import { describe, expect, it } from "vitest";
import { checkDarkWindows, type ExperimentMeta, judgeExperiment } from "../../harness/checkers/index.ts";
import { PROBE } from "../../harness/history/index.ts";
import { ScriptedHistory } from "./support/scripted-history.ts";

/** A publisher every 100 ms over [from, to); `acked(t)` decides which are acknowledged. */
function publishes(h: ScriptedHistory, from: number, to: number, acked: (t: number) => boolean) {
  for (let t = from; t < to; t += 100) {
    h.op("js-pub-0", "publish", { id: `m${t}` }, acked(t) ? { type: "ok" } : { type: "fail", class: "jetstream-not-enabled" }, t, t + 5);
  }
}

const options = { minWindowNs: 5e9, stream: "ORDERS" };

describe("dark-window checker (a fault window in which no publish was acknowledged)", () => {
  it("reports an R1 stream dark for its node's whole downtime, even though the restarted node acknowledged before the heal returned", () => {
    const h = new ScriptedHistory();
    h.nemesis("start", "kill-stream-leader", 1000, { node: "nats-1" });
    h.probe(PROBE.heal, { fault: "kill-stream-leader" }, 7000);
    // The node is back at 7400 and acknowledges at once; the heal (its start) returns at 7500.
    publishes(h, 0, 9000, (t) => t < 1000 || t >= 7400);
    h.nemesis("stop", "kill-stream-leader", 7500, { node: "nats-1" });
    const result = checkDarkWindows(h.entries, options);
    expect(result.valid).toBe(false);
    expect(result.reason).toBe(
      "finding: stream ORDERS acknowledged no publish for the whole 6.0 s of kill-stream-leader (unavailable while the fault lasted)",
    );
  });

  it("finds nothing when acknowledgements resume inside the window (a new leader elected)", () => {
    const h = new ScriptedHistory();
    h.nemesis("start", "kill-stream-leader", 1000, { node: "nats-1" });
    h.probe(PROBE.heal, { fault: "kill-stream-leader" }, 11000);
    publishes(h, 0, 12000, (t) => t < 1000 || t >= 6000);
    h.nemesis("stop", "kill-stream-leader", 11100, { node: "nats-1" });
    expect(checkDarkWindows(h.entries, options)).toMatchObject({ valid: true, counts: { darkWindows: 0 } });
  });
});

/** A pause of the node the only publisher is pinned to, the publisher dark for the whole 10 s. */
function pauseWithStuckPublisher(windowGap: { below?: number; atLeast?: number }) {
  const meta: ExperimentMeta = {
    experiment: "pause-node",
    fault: "pause-node",
    stream: "S",
    replicas: 3,
    storage: "file",
    expectedInstances: {},
    reconnectBoundNs: 30e9,
    graceNs: 1e9,
    checks: { windowGap: { client: "js-pub-0", ...windowGap } },
  };
  const h = new ScriptedHistory().probe(PROBE.experiment, meta, 0);
  const acked: { id: string; stream: string }[] = [];
  const publish = (t: number) => {
    const id = `m${t}`;
    const dark = t >= 1000 && t < 11000;
    if (!dark) acked.push({ id, stream: "S" });
    const outcome = dark
      ? ({ type: "info", class: "timeout" } as const)
      : ({ type: "ok", result: { stream: "S", seq: acked.length } } as const);
    h.op("p/js-pub-0", "publish", { id, stream: "S" }, outcome, t, t + 5);
  };
  for (let t = 100; t < 1000; t += 100) publish(t);
  h.nemesis("start", "pause-node", 1000, { node: "nats-1" });
  for (let t = 1000; t < 11000; t += 100) publish(t);
  h.probe(PROBE.heal, { fault: "pause-node" }, 11000);
  h.nemesis("stop", "pause-node", 11000, { node: "nats-1" });
  for (let t = 11100; t < 14000; t += 100) publish(t);
  h.op("p/final-reader", "read", { stream: "S" }, { type: "ok", result: acked }, 14500);
  return judgeExperiment(h.entries);
}

describe("an experiment that expects its client stuck for the fault (nats.js defaults under a pause)", () => {
  it("passes when the client was dark for the whole pause: that window is what it asserts, not a finding", () => {
    const verdict = pauseWithStuckPublisher({ atLeast: 0.95 });
    expect(verdict.reason).toBe("every checker passed");
    expect(verdict.verdict).toBe("pass");
  });

  it("fails the same history when the client was expected to carry on (production options)", () => {
    const verdict = pauseWithStuckPublisher({ below: 1 });
    expect(verdict.verdict).toBe("fail");
    expect(verdict.reason).toContain("expected under 100 % of it");
    expect(verdict.reason).toContain("acknowledged no publish for the whole 10.0 s of pause-node");
  });
});
