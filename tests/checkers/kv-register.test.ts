import { describe, expect, it } from "vitest";
import { CheckerError, checkKvRegister } from "../../harness/checkers/index.ts";
import { ScriptedHistory } from "./support/scripted-history.ts";

function put(h: ScriptedHistory, process: string, key: string, value: string, revision: number, from: number, to = from + 1) {
  h.op(process, "kv-put", { key, value }, { type: "ok", result: { key, value, revision } }, from, to);
}

function get(h: ScriptedHistory, process: string, key: string, value: string | null, revision: number, from: number, to = from + 1) {
  h.op(process, "kv-get", { key }, { type: "ok", result: { key, value, revision } }, from, to);
}

describe("KV register checker on hand-made histories", () => {
  it("accepts monotonic revisions and reads that are never older than a confirmed write", () => {
    const h = new ScriptedHistory();
    put(h, "w", "k", "v1", 1, 0);
    get(h, "r", "k", "v1", 1, 2);
    put(h, "w", "k", "v2", 2, 4, 10);
    get(h, "r", "k", "v1", 1, 5, 6); // concurrent with the second put: the old value is allowed
    get(h, "r", "k", "v2", 2, 11);
    get(h, "r", "other", null, 0, 12);
    const result = checkKvRegister(h.entries);
    expect(result.valid).toBe(true);
    expect(result.counts).toMatchObject({ confirmedWrites: 2, confirmedReads: 4, violations: 0 });
  });

  it("reports a read older than a write confirmed before the read began as a stale read, with both ops", () => {
    const h = new ScriptedHistory();
    put(h, "w", "k", "v1", 1, 0);
    put(h, "w", "k", "v2", 2, 2);
    get(h, "r", "k", "v1", 1, 5);
    get(h, "r2", "k", null, 0, 6); // key looks absent after a confirmed write: stale too
    const result = checkKvRegister(h.entries);
    expect(result.valid).toBe(false);
    expect(result.counts["stale-read"]).toBe(2);
    const [first] = result.details.violations.examples;
    expect(first).toMatchObject({
      kind: "stale-read",
      op: { process: "r", revision: 1, value: "v1" },
      against: { process: "w", revision: 2, value: "v2" },
    });
  });

  it("reports a reader whose view of a key goes backwards as a read regress", () => {
    const h = new ScriptedHistory();
    h.at(0);
    const slowPut = h.recorder.invoke("w", "kv-put", { key: "k", value: "v3" });
    put(h, "w2", "k", "v2", 2, 1, 2);
    get(h, "r", "k", "v3", 3, 3);
    get(h, "r", "k", "v2", 2, 5);
    h.at(7);
    slowPut.ok({ key: "k", value: "v3", revision: 3 });
    const result = checkKvRegister(h.entries);
    expect(result.valid).toBe(false);
    expect(result.counts).toMatchObject({ "read-regress": 1, "stale-read": 0 });
    expect(result.details.violations.examples[0]).toMatchObject({ kind: "read-regress", op: { revision: 2 }, against: { revision: 3 } });
  });

  it("reports a confirmed write whose revision does not increase as a write regress, and a reused revision", () => {
    const h = new ScriptedHistory();
    put(h, "a", "k", "v1", 5, 0);
    put(h, "b", "k", "v2", 4, 2);
    put(h, "c", "j", "v3", 5, 4);
    get(h, "r", "k", "v1", 5, 6);
    const result = checkKvRegister(h.entries);
    expect(result.valid).toBe(false);
    expect(result.counts).toMatchObject({ "write-regress": 1, "duplicate-revision": 1 });
  });

  it("reports a read whose value differs from the write at its revision, or was never written", () => {
    const h = new ScriptedHistory();
    put(h, "w", "k", "v1", 1, 0);
    get(h, "r", "k", "v9", 1, 2);
    get(h, "r", "j", "ghost", 2, 4);
    const result = checkKvRegister(h.entries);
    expect(result.counts).toMatchObject({ "value-mismatch": 1, "unknown-value": 1 });
  });

  it("ignores failed and unknown operations: only confirmed writes bind later reads", () => {
    const h = new ScriptedHistory();
    put(h, "w", "k", "v1", 1, 0);
    h.op("w", "kv-put", { key: "k", value: "v2" }, { type: "info" }, 2, 500);
    get(h, "r", "k", "v1", 1, 600);
    expect(checkKvRegister(h.entries).valid).toBe(true);
  });

  it("is unknown without confirmed reads, and names the entry of a read without a revision", () => {
    const h = new ScriptedHistory();
    put(h, "w", "k", "v1", 1, 0);
    expect(checkKvRegister(h.entries).valid).toBe("unknown");
    h.op("r", "kv-get", { key: "k" }, { type: "ok", result: { value: "v1" } }, 3);
    expect(() => checkKvRegister(h.entries)).toThrow(CheckerError);
    expect(() => checkKvRegister(h.entries)).toThrow(
      /kv-register checker: history entry 2 \(kv-get\): ok value must carry an integer revision/,
    );
  });
});
