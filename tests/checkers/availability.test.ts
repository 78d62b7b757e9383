import { describe, expect, it } from "vitest";
import { checkAvailability } from "../../harness/checkers/index.ts";
import { ms, ScriptedHistory } from "./support/scripted-history.ts";

/** Client `process` issues a request every `every` ms over [from, to); `outcome(t)` decides each. */
function requests(
  h: ScriptedHistory,
  process: string,
  from: number,
  to: number,
  every: number,
  outcome: (t: number) => "ok" | "fail" | "info",
) {
  for (let t = from; t < to; t += every) {
    const type = outcome(t);
    h.op(process, "request", t, type === "ok" ? { type } : { type, class: type === "info" ? "timeout" : "no-responders" }, t, t + 5);
  }
}

describe("availability checker on hand-made histories", () => {
  it("measures the longest gap inside a fault window, the failures in it and the time to recover after the heal", () => {
    const h = new ScriptedHistory();
    h.nemesis("start", "kill", 1000, { node: "nats-1" });
    h.nemesis("stop", "kill", 3000, { node: "nats-1" });
    // c1 fails from 1000 to 3400; c2 only misses 1000..1500.
    requests(h, "c1", 0, 5000, 100, (t) => (t >= 1000 && t < 3400 ? (t < 2000 ? "fail" : "info") : "ok"));
    requests(h, "c2", 0, 5000, 100, (t) => (t >= 1000 && t < 1500 ? "info" : "ok"));
    const result = checkAvailability(h.entries);
    expect(result.valid).toBe(true);
    const [window] = result.details.windows;
    expect(window).toMatchObject({ fault: "kill", target: { node: "nats-1" }, healed: true, fail: 10, info: 15 });
    // Clipped to the window: c1 had no success in all of it, c2 none until 1505.
    expect(window?.longestGapNs).toEqual({ c1: ms(2000), c2: ms(1505 - 1000) });
    expect(window?.recoveryNs).toEqual({ c1: ms(3405 - 3000), c2: ms(5) });
    expect(window?.maxRecoveryNs).toBe(ms(405));
    expect(result.details.longestGap).toEqual({ process: "c1", from: ms(905), to: ms(3405), ns: ms(2500) });
    expect(result.counts.resolutionNs).toBe(ms(100));
  });

  it("fails a recovery slower than the bound, and a longest gap above its bound", () => {
    const h = new ScriptedHistory();
    h.nemesis("start", "pause", 1000);
    h.nemesis("stop", "pause", 2000);
    requests(h, "c1", 0, 4000, 100, (t) => (t >= 1000 && t < 3000 ? "info" : "ok"));
    expect(checkAvailability(h.entries, { maxRecoveryNs: ms(2000) }).valid).toBe(true);
    const slow = checkAvailability(h.entries, { maxRecoveryNs: ms(500) });
    expect(slow.valid).toBe(false);
    expect(slow.reason).toContain("recovery after pause took 1005.0 ms (bound 500.0 ms)");
    const gappy = checkAvailability(h.entries, { maxGapNs: ms(1000) });
    expect(gappy.valid).toBe(false);
    expect(gappy.reason).toContain("client c1 went 2100.0 ms without a success");
  });

  it("bounds one client's gap inside the fault window: one that carried on and one that was stuck for all of it", () => {
    const h = new ScriptedHistory();
    h.nemesis("start", "pause-node", 1000, { node: "nats-1" });
    h.nemesis("stop", "pause-node", 3000, { node: "nats-1" });
    // pause-node/moved reconnects elsewhere after 500 ms; pause-node/stuck waits for the resume.
    requests(h, "pause-node/moved", 0, 4000, 100, (t) => (t >= 1000 && t < 1500 ? "info" : "ok"));
    requests(h, "pause-node/stuck", 0, 4000, 100, (t) => (t >= 1000 && t < 3000 ? "info" : "ok"));
    const carriedOn = (client: string) => checkAvailability(h.entries, { windowGap: { client, below: 1 } });
    const wasStuck = (client: string) => checkAvailability(h.entries, { windowGap: { client, atLeast: 0.95 } });
    expect(carriedOn("moved").valid).toBe(true);
    expect(carriedOn("moved").details.windowGap).toEqual({ client: "pause-node/moved", gapNs: ms(1505 - 1000), windowNs: ms(2000) });
    expect(carriedOn("stuck").valid).toBe(false);
    expect(carriedOn("stuck").reason).toContain("pause-node/stuck went 2000.0 ms of the 2000.0 ms pause-node without a success");
    expect(wasStuck("stuck").valid).toBe(true);
    expect(wasStuck("moved").valid).toBe(false);
    expect(checkAvailability(h.entries, { windowGap: { client: "nobody", below: 1 } }).reason).toContain(
      "client nobody recorded no operation",
    );
  });

  it("fails when a client that kept trying never succeeded after the heal", () => {
    const h = new ScriptedHistory();
    h.nemesis("start", "partition", 100);
    h.nemesis("stop", "partition", 200);
    requests(h, "c1", 0, 400, 10, (t) => (t < 100 ? "ok" : "info"));
    const result = checkAvailability(h.entries);
    expect(result.valid).toBe(false);
    expect(result.details.windows[0]?.unrecovered).toEqual(["c1"]);
    expect(result.details.windows[0]?.recoveryNs).toEqual({ c1: null });
  });

  it("is unknown with no successful operations", () => {
    const h = new ScriptedHistory();
    requests(h, "c1", 0, 100, 10, () => "fail");
    expect(checkAvailability(h.entries).valid).toBe("unknown");
  });
});
