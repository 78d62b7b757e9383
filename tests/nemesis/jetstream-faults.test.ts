import { AckPolicy, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultWindows, HistoryRecorder } from "../../harness/history/index.ts";
import { findMetaLeader, Nemesis } from "../../harness/nemesis/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { createStream, waitForStreamLeader } from "./support/cluster.ts";

describe("JetStream API faults on a real 3-node cluster", () => {
  let cluster: StartedLocalCluster;
  let nc: NatsConnection;

  beforeAll(async () => {
    cluster = await new LocalCluster().withNodes(3).start();
    await createStream(cluster.clientUrls, "ORDERS", 3);
    await waitForStreamLeader(cluster.monitoringUrls, "ORDERS");
    nc = await connect({ servers: cluster.clientUrls });
    await (await jetstreamManager(nc)).consumers.add("ORDERS", { durable_name: "shipping", ack_policy: AckPolicy.Explicit });
  });

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  const nemesisWith = (history: HistoryRecorder, onProgress?: (line: string) => void) =>
    new Nemesis(cluster, { history, nats: { servers: cluster.clientUrls }, onProgress });

  it("steps down the stream's and the consumer's leader through the JetStream API: another replica leads each time", async () => {
    const jsm = await jetstreamManager(nc);
    const history = new HistoryRecorder();
    const progress: string[] = [];
    const nemesis = nemesisWith(history, (line) => progress.push(line));
    const streamBefore = (await jsm.streams.info("ORDERS")).cluster?.leader;
    await nemesis.heal(await nemesis.inject({ kind: "step-down", leader: "stream", stream: "ORDERS", times: 1 }));
    expect((await jsm.streams.info("ORDERS")).cluster?.leader).not.toBe(streamBefore);

    const active = await nemesis.inject({
      kind: "step-down",
      leader: "consumer",
      stream: "ORDERS",
      consumer: "shipping",
      times: 2,
      pauseMs: 0,
    });
    expect(active.target).toEqual({ leader: "consumer", stream: "ORDERS", consumer: "shipping", times: 2 });
    await nemesis.heal(active);
    expect(faultWindows(history.entries).map((window) => [window.fault, window.healed])).toEqual([
      ["step-down", true],
      ["step-down", true],
    ]);
    const consumerLeaders = progress.flatMap((line) => /consumer ORDERS\/shipping leader (\S+) → (\S+)/.exec(line)?.slice(1) ?? []);
    expect(consumerLeaders).toHaveLength(4);
    expect(consumerLeaders[0]).not.toBe(consumerLeaders[1]);
    expect(consumerLeaders[2]).not.toBe(consumerLeaders[3]);
  });

  it("steps down the meta leader as the system account; a target without its user cannot take that fault, and says why", async () => {
    const before = (await findMetaLeader(cluster)).name;
    const nemesis = nemesisWith(new HistoryRecorder());
    await nemesis.heal(await nemesis.inject({ kind: "step-down", leader: "meta", times: 1 }));
    expect((await findMetaLeader(cluster)).name).not.toBe(before);

    const withoutSystemUser = new Nemesis({ nodes: cluster.nodes, monitoringUrls: cluster.monitoringUrls });
    expect(withoutSystemUser.unsupported({ kind: "step-down", leader: "meta" })).toMatch(/needs the NATS system account's user/);
    expect(withoutSystemUser.unsupported({ kind: "step-down", leader: "stream", stream: "ORDERS" })).toBeUndefined();
    expect(withoutSystemUser.unsupported("replace-node")).toBe("the target cannot replace nodes");
  });

  it("refuses a stream that does not exist at once, naming it", async () => {
    const nemesis = nemesisWith(new HistoryRecorder());
    await expect(nemesis.inject({ kind: "step-down", leader: "stream", stream: "NOPE", times: 1 })).rejects.toThrow(
      /\$JS\.API\.STREAM\.INFO\.NOPE: stream not found/,
    );
    await nemesis.healAll();
  });
});
