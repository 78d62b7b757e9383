import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkQueue, REPLICA_EVIDENCE_F } from "../../harness/checkers/index.ts";
import { collectReplicaEvidence, unreadSequences } from "../../harness/failover/index.ts";
import { HistoryRecorder } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";

/*
 * Before the queue checker calls an acknowledged message lost, the run asks every replica where it
 * is. Here a real R3 stream holds ten acknowledged messages and the reads returned six: the four
 * others are on every replica (unreadable, not lost); once the stream is purged they are on none
 * (lost).
 */
let cluster: StartedLocalCluster;
let nc: NatsConnection;

beforeAll(async () => {
  cluster = await new LocalCluster().withNodes(3).start();
  nc = await connect({ servers: cluster.clientUrls });
});

afterAll(async () => {
  await nc?.close();
  await cluster?.stop();
});

describe("replica evidence for unread acknowledged messages", () => {
  it("tells stored-but-unread (on every replica) from lost (on none), from each server's own state and the leader's copy", async () => {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "EVIDENCE", subjects: ["evidence.>"], num_replicas: 3 });
    const js = jetstream(nc);
    const history = new HistoryRecorder();
    for (let n = 1; n <= 10; n++) {
      await history.run("pub", "publish", { id: `m${n}`, stream: "EVIDENCE" }, () => js.publish("evidence.x", "x", { msgID: `m${n}` }));
    }
    history.invoke("reader", "read").ok([1, 2, 3, 4, 5, 6].map((n) => ({ id: `m${n}`, stream: "EVIDENCE" })));
    const unread = unreadSequences(history.entries, "EVIDENCE", ["publish"]);
    expect(unread).toEqual([7, 8, 9, 10]);
    // Every replica current first: a follower still applying would rightly count as missing them.
    await expect
      .poll(async () => (await jsm.streams.info("EVIDENCE")).cluster?.replicas?.every((r) => r.current), { timeout: 10_000 })
      .toBe(true);

    const stored = await collectReplicaEvidence(jsm, cluster.monitoringUrls, "EVIDENCE", unread);
    expect(stored.replicas.map((replica) => replica.server).sort()).toEqual(["nats-1", "nats-2", "nats-3"]);
    expect(stored.leaderReads).toEqual(unread.map((seq) => ({ seq, id: `m${seq}` })));
    history.probe(REPLICA_EVIDENCE_F, stored);
    const unreadable = checkQueue(history.entries);
    expect(unreadable.counts).toMatchObject({ lost: 0, lostOnMinority: 0, unreadable: 4 });

    await jsm.streams.purge("EVIDENCE");
    // Every replica applied the purge first: one still applying would rightly count as holding them (lost on a minority).
    await expect
      .poll(async () => (await collectReplicaEvidence(jsm, cluster.monitoringUrls, "EVIDENCE", unread)).replicas.map((r) => r.messages), {
        timeout: 10_000,
      })
      .toEqual([0, 0, 0]);
    const purged = await collectReplicaEvidence(jsm, cluster.monitoringUrls, "EVIDENCE", unread);
    history.probe(REPLICA_EVIDENCE_F, purged); // the checker takes a stream's latest evidence
    const lost = checkQueue(history.entries);
    expect(lost.counts).toMatchObject({ lost: 4, lostUnverified: 0, lostOnMinority: 0, unreadable: 0 });
    expect(lost.reason).toContain("on no replica");
  });
});
