import { readFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { describe, expect, it } from "vitest";
import { findIslands, type ReachableSnapshot, snapshotCluster, waitForClusterFormed } from "../../harness/probes/index.ts";
import { LocalCluster } from "../../harness/providers/local/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";

function refused(url: string): Promise<boolean> {
  const { port } = new URL(url);
  return new Promise((resolve) => {
    const socket = tcpConnect({ port: Number(port), host: "127.0.0.1" });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

describe("local network faults (route proxies)", () => {
  it("routes every node through proxies, cuts with reset, explains bad groups, and closes the proxies on stop", async () => {
    const cluster = await new LocalCluster().withNodes(3).withNetworkFaults().start();
    const network = cluster.proxies;
    if (!network) throw new Error("no network");
    const proxies = network.routesFrom("nats-1");
    try {
      const config = JSON.parse(readFileSync(cluster.nodes[0]?.configFile ?? "", "utf8"));
      // nats-1 dials nats-2 and nats-3 through a proxy each, never their real cluster ports.
      expect(config.cluster.routes).toEqual(proxies);
      expect(proxies).toHaveLength(2);
      const realPorts = cluster.nodes.map((node) => `:${node.ports.cluster}`);
      for (const route of proxies) for (const port of realPorts) expect(route.endsWith(port)).toBe(false);
      // Gossip cannot hand out a real route port: the advertised one is a dead end, tried once.
      for (const port of realPorts) expect(`${config.cluster.advertise}`.endsWith(port)).toBe(false);
      expect(config.cluster.connect_retries).toBe(0);
      expect(config.cluster.no_advertise).toBe(true);

      await expect(network.partition([["nats-1"], ["nats-1", "nats-2"]])).rejects.toThrow(
        'partition: node "nats-1" is in more than one group',
      );
      await expect(network.partition([["nats-7"]])).rejects.toThrow('partition: unknown node "nats-7" (nodes: nats-1, nats-2, nats-3)');

      await network.partition([["nats-3"]], { mode: "reset" });
      const cut = network.links().filter((link) => link.from === "nats-3" || link.to === "nats-3");
      expect(cut.every((link) => link.state === "reset" && link.connections === 0)).toBe(true);
      await waitUntil(
        async () => {
          const snapshots = await snapshotCluster(cluster.monitoringUrls, { timeoutMs: 1_000 });
          const islands = findIslands(snapshots.filter((s): s is ReachableSnapshot => s.reachable));
          if (islands.length === 2) return islands;
          throw new Error(JSON.stringify(islands));
        },
        { timeoutMs: 15_000, intervalMs: 100, what: "nats-3 to be cut off" },
      );
      await network.heal();
      await waitForClusterFormed(cluster.monitoringUrls, { timeoutMs: 30_000 });
    } finally {
      await cluster.stop();
    }
    for (const route of proxies) expect(await refused(route)).toBe(true);
    await expect(network.partition([["nats-1"]])).rejects.toThrow("network is closed");
  });
});
