import { describe, expect, it } from "vitest";
import { type CheckHistoryOptions, CheckHistoryOptionsSchema, checkHistory } from "../../harness/checkers/index.ts";
import { ms, ScriptedHistory } from "./support/scripted-history.ts";

function run(): ScriptedHistory {
  const h = new ScriptedHistory();
  h.op("p1", "publish", "m1", { type: "ok" }, 0, 5);
  h.nemesis("start", "kill", 10, { node: "nats-2" });
  h.op("p1", "publish", "m2", { type: "info" }, 20, 520);
  h.nemesis("stop", "kill", 600, { node: "nats-2" });
  h.op("p1", "publish", "m3", { type: "ok" }, 700, 710);
  h.probe("srv-ping", { service: "event-bus", instances: 2 }, 800);
  h.op("reader", "read", null, { type: "ok", result: ["m1", "m3"] }, 900, 905);
  h.op("c1", "kv-put", { key: "k", value: "v" }, { type: "ok", result: { revision: 1 } }, 910, 911);
  h.op("c1", "kv-get", { key: "k" }, { type: "ok", result: { value: "v", revision: 1 } }, 912, 913);
  return h;
}

describe("checkHistory", () => {
  it("runs the chosen checkers over one history, merges their validity and gives JSON for summary.json", () => {
    const options: CheckHistoryOptions = CheckHistoryOptionsSchema.parse({
      queue: {},
      kvRegister: {},
      availability: { fs: ["publish"] },
      reconnection: { expectedInstances: { "event-bus": 2 }, boundNs: ms(1000) },
      latency: { fs: ["publish"] },
    });
    const verdict = checkHistory(run().entries, options);
    expect(Object.keys(verdict.results)).toEqual(["queue", "kvRegister", "availability", "reconnection", "latency"]);
    expect(verdict.valid).toBe(true);
    expect(verdict.results.queue?.counts).toMatchObject({ unknownNeverRead: 1, acknowledged: 2 });
    expect(verdict.results.latency?.details).toMatchObject({ byWindow: [{ fault: "kill", stats: { count: 0 } }] });
    expect(JSON.parse(JSON.stringify(verdict))).toEqual(verdict);

    const strict = checkHistory(run().entries, { ...options, reconnection: { expectedInstances: { "event-bus": 3 }, boundNs: ms(1000) } });
    expect(strict.valid).toBe(false);
    expect(strict.results.reconnection?.valid).toBe(false);
  });

  it("names the field of a bad checker option", () => {
    const parsed = CheckHistoryOptionsSchema.safeParse({ availability: { maxRecoveryNs: -5 }, latency: { p99: 1 } });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((issue) => issue.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["availability.maxRecoveryNs", "latency"]));
  });
});
