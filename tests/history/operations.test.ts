import { describe, expect, it } from "vitest";
import { faultWindows, type HistoryEntry, HistoryError, HistoryRecorder, pairOperations } from "../../harness/history/index.ts";

describe("pairing operations and fault windows", () => {
  it("pairs concurrent operations of one client by op id and marks never-completed ones as unknown", async () => {
    const recorder = new HistoryRecorder();
    const a = recorder.invoke("c1", "kv-put", { key: "a" });
    const b = recorder.invoke("c1", "kv-put", { key: "b" });
    recorder.invoke("c1", "kv-get", { key: "c" });
    b.ok({ key: "b", revision: 1 });
    a.fail({ class: "wrong-last-sequence", message: "wrong last sequence" });
    const operations = pairOperations(recorder.entries);
    expect(operations.map((o) => [o.f, o.type, o.result])).toEqual([
      ["kv-put", "fail", { key: "a" }],
      ["kv-put", "ok", { key: "b", revision: 1 }],
      ["kv-get", "info", undefined],
    ]);
    expect(operations[2]?.error?.class).toBe("never-completed");
    expect(operations[1]?.completeTime).toBeGreaterThanOrEqual(operations[1]?.invokeTime ?? Number.POSITIVE_INFINITY);
  });

  it("pairs entries without op ids by process, as Jepsen does, and rejects a completion with no invocation", () => {
    const entries: HistoryEntry[] = [
      { index: 0, time: 0, type: "invoke", process: 1, f: "read" },
      { index: 1, time: 1, type: "invoke", process: 2, f: "read" },
      { index: 2, time: 2, type: "ok", process: 2, f: "read", value: 7 },
      { index: 3, time: 3, type: "ok", process: 1, f: "read", value: 6 },
    ];
    expect(pairOperations(entries).map((o) => [o.process, o.result])).toEqual([
      [1, 6],
      [2, 7],
    ]);
    expect(() => pairOperations([...entries, { index: 4, time: 4, type: "ok", process: 3, f: "read" }])).toThrow(HistoryError);
    expect(() => pairOperations([...entries, { index: 4, time: 4, type: "ok", process: 3, f: "read" }])).toThrow(
      /history entry 4: ok of read by process 3/,
    );
  });

  it("turns nemesis entries into fault windows; one never healed lasts to the end of the history", () => {
    let now = 0n;
    const recorder = new HistoryRecorder({ clock: () => now });
    now = 10n;
    recorder.nemesis("start", "kill", { node: "nats-1" });
    now = 20n;
    recorder.nemesis("start", "pause", { node: "nats-2" });
    now = 30n;
    recorder.nemesis("stop", "kill", { node: "nats-1" });
    now = 50n;
    recorder.invoke("c1", "read");
    expect(faultWindows(recorder.entries)).toEqual([
      { fault: "kill", target: { node: "nats-1" }, start: 10, stop: 30, healed: true },
      { fault: "pause", target: { node: "nats-2" }, start: 20, stop: 50, healed: false },
    ]);
  });
});
