import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultWindows, HistoryRecorder } from "../../harness/history/index.ts";
import { findMetaLeader, Nemesis, waitForHealthy } from "../../harness/nemesis/index.ts";
import { findIslands, type ReachableSnapshot, snapshotCluster } from "../../harness/probes/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { createStream, streamView, waitForNewStreamLeader, waitForStreamLeader } from "./support/cluster.ts";

async function reachable(urls: readonly string[]): Promise<ReachableSnapshot[]> {
  const snapshots = await snapshotCluster(urls, { timeoutMs: 1_000 });
  return snapshots.filter((snapshot): snapshot is ReachableSnapshot => snapshot.reachable);
}

describe("network partitions on a real 5-node cluster (route proxies)", () => {
  let cluster: StartedLocalCluster;
  let nemesis: Nemesis;
  let history: HistoryRecorder;
  const urlsOf = (names: readonly string[]) => cluster.nodes.filter((n) => names.includes(n.name));

  beforeAll(async () => {
    cluster = await new LocalCluster().withNodes(5).withNetworkFaults().start();
    history = new HistoryRecorder();
    nemesis = new Nemesis(cluster, { history });
    await createStream(cluster.clientUrls, "EVENTS", 3);
    await waitForStreamLeader(cluster.monitoringUrls, "EVENTS");
  });

  afterAll(async () => {
    await nemesis?.healAll();
    await cluster?.stop();
  });

  it("routes go only through the proxies, and the cluster forms through them", async () => {
    expect(cluster.proxies?.links()).toHaveLength(20);
    const links = cluster.proxies?.links() ?? [];
    expect(links.every((link) => link.state === "open")).toBe(true);
    expect(links.reduce((sum, link) => sum + link.connections, 0)).toBeGreaterThan(0);
    expect(findIslands(await reachable(cluster.monitoringUrls))).toEqual([cluster.nodes.map((n) => n.name)]);
  });

  it("isolating a minority: the majority keeps a meta leader and takes R3 publishes, the minority loses it; heal → one cluster", async () => {
    const stream = await waitForStreamLeader(cluster.monitoringUrls, "EVENTS");
    const replicas = [stream.leader, ...stream.followers.map((f) => f.name)];
    // The two nodes without an EVENTS replica: the stream keeps all its replicas on the majority side.
    const minority = cluster.nodes.map((n) => n.name).filter((name) => !replicas.includes(name));
    expect(minority).toHaveLength(2);
    const majority = cluster.nodes.map((n) => n.name).filter((name) => !minority.includes(name));

    const fault = await nemesis.inject({ kind: "partition-minority", nodes: minority });
    expect(fault.target).toEqual({ minority, majority });

    // Raft: the majority has a meta leader among itself; the minority has none.
    await waitUntil(
      async () => {
        const views = await reachable(cluster.monitoringUrls);
        const leaderOf = (name: string) => views.find((v) => v.serverName === name)?.metaLeader;
        const majorityLeaders = new Set(majority.map(leaderOf));
        const [leader] = majorityLeaders;
        const minorityLeaders = minority.map(leaderOf).filter((l) => l !== undefined);
        if (majorityLeaders.size === 1 && leader && majority.includes(leader) && minorityLeaders.length === 0) return true;
        throw new Error(`meta leaders: ${views.map((v) => `${v.serverName}→${v.metaLeader ?? "none"}`).join(", ")}`);
      },
      { timeoutMs: 40_000, intervalMs: 250, what: "a meta leader on the majority side only" },
    );

    const nc = await connect({ servers: urlsOf(majority).map((n) => n.clientUrl), maxReconnectAttempts: 5 });
    try {
      const js = jetstream(nc);
      for (let i = 0; i < 5; i++) {
        const ack = await js.publish("events.during-partition", `p${i}`, { timeout: 10_000 });
        expect(ack.stream).toBe("EVENTS");
      }
    } finally {
      await nc.close();
    }

    await nemesis.heal(fault);
    const healthy = await waitForHealthy(cluster, { timeoutMs: 40_000 });
    expect(healthy.islands).toEqual([cluster.nodes.map((n) => n.name)]);
    expect((await streamView(cluster.monitoringUrls, "EVENTS"))?.messages).toBe(5);
    expect(faultWindows(history.entries).at(-1)).toMatchObject({ fault: "partition-minority", healed: true });
  });

  it("isolating the stream leader: a new leader is elected on the majority side", async () => {
    const before = await waitForStreamLeader(cluster.monitoringUrls, "EVENTS");
    const fault = await nemesis.inject({ kind: "isolate-stream-leader", stream: "EVENTS" });
    expect(fault.target).toEqual({ stream: "EVENTS", node: before.leader });
    const rest = cluster.nodes.filter((n) => n.name !== before.leader).map((n) => n.monitoringUrl);
    const leader = await waitForNewStreamLeader(rest, "EVENTS", before.leader ?? "", 40_000);
    expect(before.followers.map((f) => f.name)).toContain(leader);

    await nemesis.heal(fault);
    await waitForHealthy(cluster, { timeoutMs: 40_000 });
    expect(cluster.proxies?.links().every((link) => link.state === "open")).toBe(true);
  });

  it("isolating the meta leader: the others elect a new one among themselves", async () => {
    const old = (await findMetaLeader(cluster)).name;
    const fault = await nemesis.inject({ kind: "isolate-meta-leader" });
    expect(fault.target).toEqual({ node: old });
    const rest = cluster.nodes.filter((n) => n.name !== old);
    const leader = await waitUntil(
      async () => {
        const views = await reachable(rest.map((n) => n.monitoringUrl));
        const leaders = new Set(views.map((v) => v.metaLeader));
        const [only] = leaders;
        if (views.length === rest.length && leaders.size === 1 && only && only !== old) return only;
        throw new Error(`meta leaders: ${views.map((v) => `${v.serverName}→${v.metaLeader ?? "none"}`).join(", ")}`);
      },
      { timeoutMs: 40_000, intervalMs: 250, what: "a new meta leader among the other four" },
    );
    expect(rest.map((n) => n.name)).toContain(leader);
    await nemesis.heal(fault);
    await waitForHealthy(cluster, { timeoutMs: 40_000 });
  });
});
