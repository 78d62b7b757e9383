import { describe, expect, it } from "vitest";
import { CheckerError, checkReconnection } from "../../harness/checkers/index.ts";
import { ms, ScriptedHistory } from "./support/scripted-history.ts";

const expectedInstances = { "event-bus": 2, "state-manager": 2 };

function faultThenProbes(eventBusBackAt: number | null) {
  const h = new ScriptedHistory();
  h.probe("srv-ping", { service: "event-bus", instances: 2 }, 0);
  h.nemesis("start", "restart", 100, { node: "nats-1" });
  h.nemesis("stop", "restart", 1000, { node: "nats-1" });
  h.probe("readyz", { url: "http://127.0.0.1:8080/readyz", ready: false }, 1100);
  h.probe("srv-ping", { service: "event-bus", instances: 1 }, 1200);
  h.probe("srv-ping", { service: "state-manager", instances: 2 }, 1300);
  h.probe("readyz", { url: "http://127.0.0.1:8080/readyz", ready: true }, 1400);
  if (eventBusBackAt !== null) h.probe("srv-ping", { service: "event-bus", instances: 2 }, eventBusBackAt);
  return h;
}

describe("reconnection checker on hand-made histories", () => {
  it("passes when every service and gateway is back within the bound after the heal", () => {
    const result = checkReconnection(faultThenProbes(1500).entries, { expectedInstances, boundNs: ms(1000) });
    expect(result.valid).toBe(true);
    expect(result.details.heals[0]?.targets).toEqual([
      { kind: "service", name: "event-bus", backAfterNs: ms(500) },
      { kind: "service", name: "state-manager", backAfterNs: ms(300) },
      { kind: "gateway", name: "http://127.0.0.1:8080/readyz", backAfterNs: ms(400) },
    ]);
    expect(result.counts.slowestNs).toBe(ms(500));
  });

  it("fails a replica that comes back later than the bound, or never", () => {
    const late = checkReconnection(faultThenProbes(4000).entries, { expectedInstances, boundNs: ms(1000) });
    expect(late.valid).toBe(false);
    expect(late.reason).toContain("back later than 1000.0 ms: event-bus after restart");
    const never = checkReconnection(faultThenProbes(null).entries, { expectedInstances, boundNs: ms(1000) });
    expect(never.valid).toBe(false);
    expect(never.reason).toContain("never back: event-bus after restart");
    expect(never.counts.neverBack).toBe(1);
  });

  it("is unknown without a healed fault, and names a malformed probe entry", () => {
    const h = new ScriptedHistory();
    h.probe("srv-ping", { service: "event-bus", instances: 2 }, 0);
    expect(checkReconnection(h.entries, { expectedInstances, boundNs: 1 }).valid).toBe("unknown");
    h.probe("srv-ping", { service: "event-bus" }, 1);
    expect(() => checkReconnection(h.entries, { expectedInstances, boundNs: 1 })).toThrow(CheckerError);
    expect(() => checkReconnection(h.entries, { expectedInstances, boundNs: 1 })).toThrow(/history entry 1 \(srv-ping\)/);
  });
});
