import { describe, expect, it } from "vitest";
import { CheckerError, checkQueue, REPLICA_EVIDENCE_F, type ReplicaEvidence } from "../../harness/checkers/index.ts";
import { ScriptedHistory } from "./support/scripted-history.ts";

/** Publisher `p` publishes `ids` one after another, each acknowledged. */
function published(history: ScriptedHistory, process: string, ids: readonly (string | number)[], from = 0): number {
  let time = from;
  for (const id of ids) {
    history.op(process, "publish", id, { type: "ok" }, time, time + 1);
    time += 2;
  }
  return time;
}

function read(history: ScriptedHistory, ids: readonly unknown[], from: number): number {
  let time = from;
  for (const id of ids) {
    history.op("reader", "read", null, { type: "ok", result: id }, time, time + 1);
    time += 2;
  }
  return time;
}

describe("queue checker on hand-made histories", () => {
  it("accepts a history where every acknowledged publish is read exactly once", () => {
    const h = new ScriptedHistory();
    const t = published(h, "p1", [1, 2, 3, 4, 5]);
    read(h, [1, 2, 3, 4, 5], t);
    const result = checkQueue(h.entries);
    expect(result.valid).toBe(true);
    expect(result.counts).toMatchObject({ acknowledged: 5, distinctRead: 5, lost: 0, duplicated: 0, unexpected: 0, reordered: 0 });
  });

  it("splits lost messages into prefix, middle and postfix by publish order", () => {
    const h = new ScriptedHistory();
    const t = published(h, "p1", [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    read(h, [2, 3, 5, 7, 8], t);
    const result = checkQueue(h.entries);
    expect(result.valid).toBe(false);
    expect(result.counts).toMatchObject({ lost: 4, lostPrefix: 1, lostMiddle: 2, lostPostfix: 1 });
    expect(result.details.lost.prefix.examples.map((m) => m.id)).toEqual([1]);
    expect(result.details.lost.middle.examples.map((m) => m.id)).toEqual([4, 6]);
    expect(result.details.lost.postfix.examples.map((m) => m.id)).toEqual([9]);
    expect(result.reason).toContain("4 acknowledged lost");
  });

  it("counts everything as a lost prefix when nothing was read back", () => {
    const h = new ScriptedHistory();
    published(h, "p1", ["a", "b"]);
    const result = checkQueue(h.entries);
    expect(result.counts).toMatchObject({ lost: 2, lostPrefix: 2 });
    expect(result.valid).toBe(false);
  });

  it("reports a message read twice as duplicated", () => {
    const h = new ScriptedHistory();
    const t = published(h, "p1", [1, 2]);
    read(h, [1, [2, 1]], t);
    const result = checkQueue(h.entries);
    expect(result.valid).toBe(false);
    expect(result.counts.duplicated).toBe(1);
    expect(result.details.duplicated.examples).toEqual([{ stream: "", id: 1, reads: 2 }]);
  });

  it("reports reads of messages never published, or whose publish failed definitely, as unexpected", () => {
    const h = new ScriptedHistory();
    h.op("p1", "publish", 1, { type: "ok" }, 0);
    h.op("p1", "publish", 2, { type: "fail", class: "no-responders" }, 2);
    read(h, [1, 2, 99], 10);
    const result = checkQueue(h.entries);
    expect(result.valid).toBe(false);
    expect(result.counts).toMatchObject({ unexpected: 2, failed: 1 });
    expect(result.details.unexpected.examples).toEqual([
      { stream: "", id: 2, published: "failed" },
      { stream: "", id: 99, published: "never" },
    ]);
  });

  it("counts a timed-out publish that was read as recovered, and one never read as unknown, neither a failure", () => {
    const h = new ScriptedHistory();
    h.op("p1", "publish", "m1", { type: "info", class: "timeout" }, 0, 500);
    h.op("p1", "publish", "m1", { type: "ok" }, 501, 502); // retry with the same msgID: deduplicated
    h.op("p1", "publish", "m2", { type: "info", class: "timeout" }, 503, 1000);
    h.op("p1", "publish", "m3", { type: "info", class: "timeout" }, 1001, 1500);
    h.op("p1", "publish", "m4", { type: "open" }, 1501);
    read(h, ["m1", "m3"], 2000);
    const result = checkQueue(h.entries);
    expect(result.valid).toBe(true);
    expect(result.counts).toMatchObject({ recovered: 2, unknownNeverRead: 2, lost: 0, duplicated: 0, unexpected: 0 });
    expect(result.details.recovered.examples.map((m) => m.id)).toEqual(["m1", "m3"]);
    expect(result.details.unknownNeverRead.examples.map((m) => m.id)).toEqual(["m2", "m4"]);
  });

  it("reports a message read before one its publisher had acknowledged earlier as reordered", () => {
    const h = new ScriptedHistory();
    published(h, "p1", [1, 2, 3]);
    published(h, "p2", [10, 11], 10);
    read(h, [1, 11, 3, 2, 10], 20);
    const result = checkQueue(h.entries);
    expect(result.valid).toBe(false);
    expect(result.counts.reordered).toBe(2);
    expect(result.details.reordered.examples).toEqual([
      { stream: "", id: 2, publisher: "p1", readAfter: 3 },
      { stream: "", id: 10, publisher: "p2", readAfter: 11 },
    ]);
    expect(checkQueue(h.entries, { checkOrder: false }).valid).toBe(true);
  });

  it("keeps streams apart: the same id in two streams is two messages, order is per stream", () => {
    const h = new ScriptedHistory();
    h.op("p1", "publish", { stream: "A", id: 1 }, { type: "ok" }, 0);
    h.op("p1", "publish", { stream: "B", id: 2 }, { type: "ok" }, 2);
    h.op("p1", "publish", { stream: "A", id: 3 }, { type: "ok" }, 4);
    read(
      h,
      [
        { stream: "B", id: 2 },
        { stream: "A", id: 1 },
        { stream: "A", id: 3 },
        { stream: "B", id: 1 },
      ],
      10,
    );
    const result = checkQueue(h.entries);
    expect(result.counts).toMatchObject({ acknowledged: 3, reordered: 0, unexpected: 1 });
    expect(result.details.unexpected.examples).toEqual([{ stream: "B", id: 1, published: "never" }]);
  });

  it("is unknown when nothing was published", () => {
    expect(checkQueue(new ScriptedHistory().entries).valid).toBe("unknown");
  });

  it("names the entry when a message value is not an id", () => {
    const h = new ScriptedHistory();
    h.op("p1", "publish", { text: "no id" }, { type: "ok" }, 0);
    expect(() => checkQueue(h.entries)).toThrow(CheckerError);
    expect(() => checkQueue(h.entries)).toThrow(/queue checker: history entry 0 \(publish\)/);
  });

  it("produces a JSON-serializable result", () => {
    const h = new ScriptedHistory();
    const t = published(h, "p1", [1, 2, 3]);
    read(h, [1, 1], t);
    const result = checkQueue(h.entries);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

describe("queue checker: an unread acknowledged message is lost only when no replica holds it", () => {
  /** Ten messages acked as seq 1–10 of stream S; the reads return 1–6: 7–10 were never read. */
  function unreadTail(evidence?: ReplicaEvidence): ReturnType<typeof checkQueue> {
    const h = new ScriptedHistory();
    let time = 0;
    for (let seq = 1; seq <= 10; seq++) {
      h.op("p1", "publish", { id: `m${seq}`, stream: "S" }, { type: "ok", result: { stream: "S", seq } }, time, time + 1);
      time += 2;
    }
    h.op("reader", "read", null, { type: "ok", result: [1, 2, 3, 4, 5, 6].map((n) => ({ id: `m${n}`, stream: "S" })) }, time);
    if (evidence) h.at(time + 5).recorder.probe(REPLICA_EVIDENCE_F, evidence);
    return checkQueue(h.entries);
  }
  const replica = (server: string, lastSeq: number, firstSeq = 1) => ({
    server,
    reachable: true,
    firstSeq,
    lastSeq,
    messages: lastSeq - firstSeq + 1,
  });
  const leaderHas = (ids: (string | null)[]) => ids.map((id, index) => ({ seq: 7 + index, id }));

  it("without evidence: lost, and says it was not checked against the replicas", () => {
    const result = unreadTail();
    expect(result.counts).toMatchObject({ lost: 4, lostPostfix: 4, lostUnverified: 4, lostOnMinority: 0, unreadable: 0 });
    expect(result.reason).toContain("4 acknowledged lost (prefix 0, middle 0, postfix 4, not checked against the replicas)");
  });

  it("a replica that lags behind (the consumer's leader saw only its prefix): lost on a minority, not lost", () => {
    const result = unreadTail({
      stream: "S",
      leader: "n1",
      replicas: [replica("n1", 10), replica("n2", 10), replica("n5", 6)],
      leaderReads: leaderHas(["m7", "m8", "m9", "m10"]),
    });
    expect(result.valid).toBe(false);
    expect(result.counts).toMatchObject({ lost: 0, lostOnMinority: 4, unreadable: 0 });
    expect(result.details.lostOnMinority.examples[0]).toMatchObject({ id: "m7", seq: 7, heldBy: ["n1", "n2"], missingOn: ["n5"] });
    expect(result.reason).toContain("4 acknowledged lost on a minority — the replicas diverge (e.g. m7 (seq 7) on n1, n2, missing on n5)");
    expect(result.reason).not.toMatch(/\d+ acknowledged lost \(/);
  });

  it("on every replica but not served: unreadable", () => {
    const result = unreadTail({
      stream: "S",
      leader: "n1",
      replicas: [replica("n1", 10), replica("n2", 10), replica("n3", 10)],
      leaderReads: leaderHas(["m7", "m8", "m9", "m10"]),
    });
    expect(result.counts).toMatchObject({ lost: 0, lostOnMinority: 0, unreadable: 4 });
    expect(result.reason).toContain("4 acknowledged unreadable — stored on every replica");
  });

  it("on no replica: lost, and says so", () => {
    const result = unreadTail({
      stream: "S",
      leader: "n1",
      replicas: [replica("n1", 6), replica("n2", 6), replica("n3", 6)],
      leaderReads: leaderHas([null, null, null, null]),
    });
    expect(result.counts).toMatchObject({ lost: 4, lostPostfix: 4, lostUnverified: 0, lostOnMinority: 0, unreadable: 0 });
    expect(result.reason).toContain("4 acknowledged lost (prefix 0, middle 0, postfix 4, on no replica)");
  });

  it("a stream that came back empty and reused the sequences (memory storage after a restart): lost, whatever the followers' ranges say", () => {
    const result = unreadTail({
      stream: "S",
      leader: "n1",
      replicas: [replica("n1", 12), replica("n2", 12), replica("n3", 12)],
      leaderReads: leaderHas(["new-1", "new-2", "new-3", "new-4"]),
    });
    expect(result.counts).toMatchObject({ lost: 4, lostOnMinority: 0, unreadable: 0 });
  });
});
