import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultWindows, HistoryRecorder } from "../../harness/history/index.ts";
import { Nemesis, waitForHealthy } from "../../harness/nemesis/index.ts";
import { snapshotNode, waitForClusterFormed } from "../../harness/probes/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { createStream, processState, publish, streamView, waitForNewStreamLeader, waitForStreamLeader } from "./support/cluster.ts";

describe("node faults on a real 3-node cluster", () => {
  let cluster: StartedLocalCluster;
  let history: HistoryRecorder;
  let nemesis: Nemesis;

  beforeAll(async () => {
    cluster = await new LocalCluster().withNodes(3).start();
    await createStream(cluster.clientUrls, "ORDERS", 3);
    await waitForStreamLeader(cluster.monitoringUrls, "ORDERS");
  });

  afterAll(async () => {
    await nemesis?.healAll();
    await cluster?.stop();
  });

  const fresh = () => {
    history = new HistoryRecorder();
    nemesis = new Nemesis(cluster, { history, seed: 3 });
  };

  it("kill -9 makes the node unreachable; heal restarts it and the cluster re-forms", async () => {
    fresh();
    const fault = await nemesis.inject({ kind: "kill-node", node: "nats-2" });
    expect(fault.target).toEqual({ node: "nats-2" });
    const victim = cluster.nodes[1];
    expect(victim?.running).toBe(false);
    expect((await snapshotNode(victim?.monitoringUrl ?? "", { timeoutMs: 500 })).reachable).toBe(false);

    await nemesis.heal(fault);
    const formed = await waitForClusterFormed(cluster.monitoringUrls, { timeoutMs: 30_000 });
    expect(formed.islands).toEqual([["nats-1", "nats-2", "nats-3"]]);
    expect(faultWindows(history.entries)).toMatchObject([{ fault: "kill-node", target: { node: "nats-2" }, healed: true }]);
  });

  it("pause hangs the node (monitoring times out) while its process lives; heal resumes it", async () => {
    fresh();
    const node = cluster.nodes[2];
    const pid = node?.pid ?? -1;
    const fault = await nemesis.inject({ kind: "pause-node", node: "nats-3" });
    const hung = await snapshotNode(node?.monitoringUrl ?? "", { timeoutMs: 500 });
    expect(hung.reachable).toBe(false);
    expect(hung.reachable ? "" : hung.error).toMatch(/timeout|aborted/i);
    expect(processState(pid)).toBe("T");
    expect(node?.running).toBe(true);

    await nemesis.heal(fault);
    expect((await snapshotNode(node?.monitoringUrl ?? "")).reachable).toBe(true);
    expect(node?.pid).toBe(pid);
    expect(faultWindows(history.entries)).toMatchObject([{ fault: "pause-node", target: { node: "nats-3" }, healed: true }]);
  });

  it("kills the node that /jsz names as the stream's leader", async () => {
    fresh();
    const before = await waitForStreamLeader(cluster.monitoringUrls, "ORDERS");
    const fault = await nemesis.inject({ kind: "kill-stream-leader", stream: "ORDERS" });
    expect(fault.target).toEqual({ stream: "ORDERS", node: before.leader });
    const dead = cluster.nodes.filter((node) => !node.running).map((node) => node.name);
    expect(dead).toEqual([before.leader]);

    const survivors = cluster.nodes.filter((node) => node.running).map((node) => node.monitoringUrl);
    expect(await waitForNewStreamLeader(survivors, "ORDERS", before.leader ?? "")).not.toBe(before.leader);
    await nemesis.heal(fault);
    await waitForHealthy(cluster, { timeoutMs: 30_000 });
    expect((await streamView(cluster.monitoringUrls, "ORDERS"))?.leader).toBeDefined();
  });

  it("stops a node gracefully through lame duck; heal starts it again", async () => {
    fresh();
    const fault = await nemesis.inject({ kind: "stop-node", node: "nats-1", lameDuck: true });
    expect(fault.target).toEqual({ node: "nats-1", lameDuck: true });
    expect(cluster.nodes[0]?.running).toBe(false);
    await nemesis.heal(fault);
    expect(cluster.nodes[0]?.running).toBe(true);
    await waitForHealthy(cluster, { timeoutMs: 30_000 });
  });

  it("rolls a restart through every node, one at a time, keeping the stream's data", async () => {
    fresh();
    await publish(cluster.clientUrls, "orders.rolled", 5);
    const stored = (await waitForStreamLeader(cluster.monitoringUrls, "ORDERS")).messages;
    expect(stored).toBeGreaterThanOrEqual(5);
    const pids = cluster.nodes.map((node) => node.pid);
    const progress: string[] = [];
    const rolling = new Nemesis(cluster, {
      history,
      onProgress: (line) => {
        progress.push(line);
        if (line.startsWith("rolling restart 1/")) history.probe("progress", line);
      },
    });
    const fault = await rolling.inject({ kind: "rolling-restart", lameDuck: false });
    expect(progress.filter((line) => line.startsWith("rolling restart"))).toEqual([
      "rolling restart 1/3: nats-1",
      "rolling restart 2/3: nats-2",
      "rolling restart 3/3: nats-3",
    ]);
    cluster.nodes.forEach((node, index) => {
      expect(node.running).toBe(true);
      expect(node.pid).not.toBe(pids[index]);
    });
    await rolling.heal(fault);
    const healthy = await waitForHealthy(cluster, { timeoutMs: 30_000 });
    expect(healthy.streams.map((stream) => [stream.name, stream.messages])).toEqual([["ORDERS", stored]]);
    expect(faultWindows(history.entries)).toMatchObject([{ fault: "rolling-restart", healed: true }]);
    // The window opens before the first node goes down, not when the roll is over.
    const opened = history.entries.findIndex((entry) => entry.process === "nemesis" && entry.f === "start");
    const firstStep = history.entries.findIndex((entry) => entry.f === "progress");
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(opened).toBeLessThan(firstStep);
  });

  it("names the node it does not know", async () => {
    fresh();
    await expect(nemesis.inject({ kind: "kill-node", node: "nats-9" })).rejects.toThrow(
      'nemesis: no node named "nats-9" (known: nats-1, nats-2, nats-3)',
    );
    await expect(nemesis.inject({ kind: "partition-minority" })).rejects.toThrow(/needs network control/);
    expect(cluster.nodes.every((node) => node.running)).toBe(true);
  });
});
