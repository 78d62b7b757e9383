import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { assessCluster, snapshotCluster, snapshotNode } from "../../harness/probes/index.ts";
import { LocalCluster, LocalClusterError, LocalNode } from "../../harness/providers/local/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { processesMatching } from "../support/processes.ts";

async function assess(monitoringUrls: string[]) {
  return assessCluster(await snapshotCluster(monitoringUrls, { streams: true }), {
    nodes: monitoringUrls.length,
    maxPayload: 4 * 1024 * 1024,
  });
}

describe("local cluster", () => {
  it.each([1, 3, 5])("forms a healthy %i-node JetStream cluster and leaves nothing behind", async (nodes) => {
    const cluster = await new LocalCluster().withNodes(nodes).start();
    try {
      const assessment = await assess(cluster.monitoringUrls);
      expect(assessment.checks.filter((check) => check.status === "fail")).toEqual([]);
      expect(assessment.islands).toEqual([cluster.nodes.map((node) => node.name)]);
      expect(new Set(cluster.clientUrls).size).toBe(nodes);
    } finally {
      await cluster.stop();
    }
    expect(processesMatching(cluster.dir)).toEqual([]);
    expect(existsSync(cluster.dir)).toBe(false);
  });

  it("runs two stacks side by side without sharing a port or a cluster", async () => {
    await using first = await new LocalCluster().withNodes(3).start();
    await using second = await new LocalCluster().withNodes(3).start();
    const ports = [...first.clientUrls, ...first.monitoringUrls, ...second.clientUrls, ...second.monitoringUrls];
    expect(new Set(ports).size).toBe(ports.length);
    expect((await assess(first.monitoringUrls)).formed).toBe(true);
    expect((await assess(second.monitoringUrls)).formed).toBe(true);
  });

  it("listens below the kernel's ephemeral port range, so no client connection can take a stopped node's port", async () => {
    const ephemeralLow = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    await using cluster = await new LocalCluster().withNodes(3).start();
    const ports = cluster.nodes.flatMap((node) => [node.ports.client, node.ports.cluster, node.ports.monitoring]);
    expect(ports.filter((port) => port >= ephemeralLow)).toEqual([]);
  });

  it("kills, restarts, pauses and resumes a node, keeping its data", async () => {
    await using cluster = await new LocalCluster().withNodes(3).start();
    const [, victim] = cluster.nodes;
    if (!victim) throw new Error("no node");
    const nc = await connect({ servers: victim.clientUrl });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "KEEP", subjects: ["keep.>"], num_replicas: 1 });
    await jetstream(nc).publish("keep.one", "data");
    await nc.close();

    await victim.kill();
    expect(victim.running).toBe(false);
    expect((await snapshotNode(victim.monitoringUrl)).reachable).toBe(false);

    await victim.start();
    await waitUntil(async () => ((await assess(cluster.monitoringUrls)).formed ? true : undefined), {
      timeoutMs: 20_000,
      what: "re-formed cluster",
    });
    const after = await connect({ servers: victim.clientUrl });
    const info = await (await jetstreamManager(after)).streams.info("KEEP");
    expect(info.state.messages).toBe(1);
    await after.close();

    await victim.pause();
    expect((await snapshotNode(victim.monitoringUrl, { timeoutMs: 300 })).reachable).toBe(false);
    expect(victim.running).toBe(true);
    await victim.resume();
    expect((await snapshotNode(victim.monitoringUrl)).reachable).toBe(true);
  });

  it("replaces a node as an Auto Scaling group would: a new server name and an empty store in the same slot; the old server stays a meta-group peer", async () => {
    await using cluster = await new LocalCluster().withNodes(3).start();
    const [, old] = cluster.nodes;
    if (!old) throw new Error("no node");
    const nc = await connect({ servers: old.clientUrl });
    await (await jetstreamManager(nc)).streams.add({ name: "ON_OLD", subjects: ["old.>"], num_replicas: 1 });
    await nc.close();

    const replacement = await cluster.replaceNode(old.name);
    expect(old.running).toBe(false);
    expect(cluster.nodes[1]).toBe(replacement);
    expect([replacement.name, replacement.clientUrl, replacement.monitoringUrl]).toEqual([old.name, old.clientUrl, old.monitoringUrl]);
    const seen = await snapshotNode(replacement.monitoringUrl, { streams: true });
    if (!seen.reachable) throw new Error(seen.error);
    expect(seen.serverName).toBe(`${old.name}-r1`);
    expect(existsSync(join(old.dir, "jetstream"))).toBe(false);
    // Nobody removed the old server: the meta group counts it, one peer more than there are nodes.
    const sizes = await waitUntil(
      async () => {
        const snapshots = await snapshotCluster(cluster.monitoringUrls);
        const views = snapshots.map((snapshot) => (snapshot.reachable ? snapshot.metaClusterSize : undefined));
        return views.every((size) => size === 4) ? views : undefined;
      },
      { timeoutMs: 20_000, what: "the replacement to join the meta group" },
    );
    expect(sizes).toEqual([4, 4, 4]);
    expect(cluster.systemAccount).toMatchObject({ user: "system", servers: cluster.clientUrls });
  });

  it("stops a node gracefully through lame-duck mode", async () => {
    await using cluster = await new LocalCluster().withNodes(3).start();
    const node = cluster.nodes[0];
    if (!node) throw new Error("no node");
    await node.stop({ lameDuck: true });
    expect(node.running).toBe(false);
    const survivors = cluster.nodes.filter((candidate) => candidate !== node).map((candidate) => candidate.monitoringUrl);
    expect((await snapshotCluster(survivors)).every((snapshot) => snapshot.reachable)).toBe(true);
  });

  it("says why a cluster did not form, with the log of each node that failed", async () => {
    // Every node routed to a closed port only: three islands that never meet.
    const islands = new LocalCluster()
      .withNodes(3)
      .withConfig({ cluster: { name: "alone", listen: "127.0.0.1:-1", routes: ["nats://127.0.0.1:9"] } })
      .withStartupTimeout(5_000);
    const error = await islands.start().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(LocalClusterError);
    const message = (error as Error).message;
    expect(message).toMatch(/3-node cluster to form: .*3 islands/);
    for (const name of ["nats-1", "nats-2", "nats-3"])
      expect(message).toMatch(new RegExp(`--- .*/${name}/nats-server.log ---\n(.*\n)*.*Server is ready`));
  });

  it("shows only the failing nodes' logs when the assessment names them", () => {
    const dir = mkdtempSync(join(tmpdir(), "gauntlet-not-formed-"));
    try {
      const nodes = ["nats-1", "nats-10", "nats-3"].map((name) => {
        mkdirSync(join(dir, name));
        const node = new LocalNode({
          binary: "nats-server",
          name,
          dir: join(dir, name),
          ports: { client: 1, cluster: 2, monitoring: 3 },
          config: {},
        });
        writeFileSync(node.logFile, `log of ${name}\n`);
        return node;
      });
      const assessment = assessCluster([], { nodes: 3 });
      const last = { ...assessment, checks: [{ name: "JetStream", status: "fail" as const, detail: "disabled on nats-1" }] };
      const message = LocalClusterError.notFormed(new Error("timed out"), nodes, last).message;
      expect(message).toContain("log of nats-1");
      expect(message).not.toContain("log of nats-10");
      expect(message).not.toContain("log of nats-3");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("explains a node that cannot start, with its log", async () => {
    const failing = new LocalCluster().withNodes(1).withConfig({ jetstream: { store_dir: "/proc/not-writable" } });
    await expect(failing.start()).rejects.toThrow(/nats-server nats-1 failed to start/);
  });
});
