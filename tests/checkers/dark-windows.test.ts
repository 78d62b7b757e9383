import { describe, expect, it } from "vitest";
import { checkDarkWindows } from "../../harness/checkers/index.ts";
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
