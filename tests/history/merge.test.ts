import { describe, expect, it } from "vitest";
import { HistoryRecorder, mergeHistories, pairOperations } from "../../harness/history/index.ts";

describe("merging histories recorded in one timeline", () => {
  it("puts the entries of two recorders sharing time 0 in time order, renumbers them and keeps every operation paired with its own completion", () => {
    let now = 1_000n;
    const clock = () => now;
    const main = new HistoryRecorder({ clock });
    const workloads = new HistoryRecorder({ clock, startNs: main.startNs });
    main.probe("experiment", { experiment: "x" });
    now += 10n;
    const publish = workloads.invoke("x/js-pub-0", "publish", { id: "a" });
    now += 10n;
    const read = main.invoke("x/final-reader", "read", { stream: "S" });
    now += 10n;
    publish.ok({ seq: 1 });
    now += 10n;
    read.ok([{ id: "a", stream: "S" }]);

    const merged = mergeHistories(main.entries, workloads.entries);
    expect(merged.map((entry) => [entry.index, entry.time, entry.process, entry.type])).toEqual([
      [0, 0, "probe", "ok"],
      [1, 10, "x/js-pub-0", "invoke"],
      [2, 20, "x/final-reader", "invoke"],
      [3, 30, "x/js-pub-0", "ok"],
      [4, 40, "x/final-reader", "ok"],
    ]);
    // Both recorders numbered their first operation 0: merged, the two operations keep ids of their own.
    expect(new Set(merged.filter((entry) => entry.op !== undefined).map((entry) => `${entry.process}:${entry.op}`)).size).toBe(2);
    expect(pairOperations(merged).map((operation) => [operation.f, operation.type, operation.result])).toEqual([
      ["publish", "ok", { seq: 1 }],
      ["read", "ok", [{ id: "a", stream: "S" }]],
    ]);
  });
});
