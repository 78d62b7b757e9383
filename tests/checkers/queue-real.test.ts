import { StorageType } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkQueue } from "../../harness/checkers/index.ts";
import { HistoryRecorder } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { onlyNode, restartNode, sleep, untilStopped } from "./support/node-faults.ts";
import { ids, QueueWorkload, waitForJetStream } from "./support/queue-workload.ts";

let cluster: StartedLocalCluster;
beforeAll(async () => {
  cluster = await new LocalCluster().withNodes(1).start();
});
afterAll(async () => {
  await cluster?.stop();
});

async function client(): Promise<NatsConnection> {
  return connect({ servers: cluster.clientUrls, reconnectTimeWait: 50, maxReconnectAttempts: -1 });
}

async function restartServer(recorder: HistoryRecorder, nc: NatsConnection): Promise<void> {
  await restartNode(cluster, recorder);
  await waitForJetStream(nc);
}

/** Publish 1..10 and read them, publish 11..20, restart the server, then (optionally) 21..30 and read again. */
async function restartRun(storage: StorageType, stream: string, publishAfterRestart: boolean) {
  const recorder = new HistoryRecorder();
  const nc = await client();
  try {
    const queue = await QueueWorkload.create(recorder, nc, stream);
    await queue.ensureStream({ storage });
    await queue.publishAll(ids("m", 1, 10));
    await queue.drain("reader");
    await queue.publishAll(ids("m", 11, 20));
    await restartServer(recorder, nc);
    await queue.ensureStream({ storage });
    if (publishAfterRestart) await queue.publishAll(ids("m", 21, 30));
    await queue.drain("reader"); // the same durable: after a restart that kept it, it resumes past what was acked
    return checkQueue(recorder.entries);
  } finally {
    await nc.close();
  }
}

describe("queue checker on real runs against nats-server", () => {
  it("catches acknowledged messages a memory-storage stream lost in a restart, as a lost middle", async () => {
    const result = await restartRun(StorageType.Memory, "LOSTMIDDLE", true);
    expect(result.valid).toBe(false);
    expect(result.counts).toMatchObject({ acknowledged: 30, lost: 10, lostMiddle: 10, lostPrefix: 0, lostPostfix: 0, duplicated: 0 });
    expect(result.details.lost.middle.examples.map((m) => m.id)).toEqual(ids("m", 11, 20));
  });

  it("catches the acknowledged tail lost in a restart as a lost postfix", async () => {
    const result = await restartRun(StorageType.Memory, "LOSTPOSTFIX", false);
    expect(result.valid).toBe(false);
    expect(result.counts).toMatchObject({ acknowledged: 20, lost: 10, lostPostfix: 10 });
  });

  it("finds nothing wrong when the same run uses file storage, which survives the restart", async () => {
    const result = await restartRun(StorageType.File, "SURVIVES", true);
    expect(result.reason).toMatch(/^all 30 acknowledged publishes read exactly once/);
    expect(result.valid).toBe(true);
  });

  /**
   * The server is paused while a publish is in flight: the client times out (info), the server
   * stores the message once resumed, and the client retries with the same msgID.
   */
  async function timedOutThenRetried(stream: string, duplicateWindowMs: number) {
    const recorder = new HistoryRecorder();
    const nc = await client();
    const node = onlyNode(cluster);
    try {
      const queue = await QueueWorkload.create(recorder, nc, stream);
      await queue.ensureStream({ storage: StorageType.File, duplicate_window: nanos(duplicateWindowMs) });
      await queue.publish("m1");
      recorder.nemesis("start", "pause", { node: node.name });
      await node.pause();
      await untilStopped(node.pid);
      const attempt = await queue.publish("m2", 300);
      await node.resume();
      recorder.nemesis("stop", "pause", { node: node.name });
      await nc.flush();
      // Let the deduplication window of the first, stored attempt run out (no-op for a long window).
      await sleep(Math.min(duplicateWindowMs * 3, 1000));
      const retry = await queue.publish("m2");
      await queue.publish("m3");
      await queue.drain("reader");
      return { attempt, retry, result: checkQueue(recorder.entries) };
    } finally {
      await node.resume();
      await nc.close();
    }
  }

  it("counts a timed-out publish that was stored and deduplicated on retry as recovered, not lost or duplicated", async () => {
    const { attempt, retry, result } = await timedOutThenRetried("RECOVERED", 120_000);
    expect(attempt).toMatchObject({ type: "info", error: { class: "timeout" } });
    expect(retry).toMatchObject({ type: "ok", result: { duplicate: true } });
    expect(result.valid).toBe(true);
    expect(result.counts).toMatchObject({ recovered: 1, duplicated: 0, lost: 0, acknowledged: 3 });
  });

  it("catches the duplicate a retry stores once the deduplication window is too short", async () => {
    const { attempt, retry, result } = await timedOutThenRetried("DUPLICATED", 100);
    expect(attempt).toMatchObject({ type: "info", error: { class: "timeout" } });
    expect(retry).toMatchObject({ type: "ok", result: { duplicate: false } });
    expect(result.valid).toBe(false);
    expect(result.counts).toMatchObject({ duplicated: 1, recovered: 1, lost: 0 });
    expect(result.details.duplicated.examples).toEqual([{ stream: "DUPLICATED", id: "m2", reads: 2 }]);
  });
});
