import { execFileSync, spawn } from "node:child_process";
import { existsSync, readlinkSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { getMonitoring, waitForClusterFormed } from "../../harness/probes/index.ts";
import { LocalCluster } from "../../harness/providers/local/index.ts";
import { kernelNetworkUnavailable, SUBNET_PREFIX } from "../../harness/providers/local/network/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { processesMatching } from "../support/processes.ts";

const unavailable = kernelNetworkUnavailable();
const namespaces = () => execFileSync("ip", ["netns", "list"], { encoding: "utf8" });
const links = () => execFileSync("ip", ["-o", "link"], { encoding: "utf8" });
const metaLeader = async (url: string) =>
  (await getMonitoring<{ meta_cluster?: { leader?: string } }>(url, "/jsz", 1_000)).meta_cluster?.leader;

/*
 * The kernel network needs root and iptables (.ci/run installs iptables); elsewhere the proxy
 * network is the fallback and these tests are skipped, saying why.
 */
describe.skipIf(unavailable !== undefined)(`kernel network${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("puts each node in a namespace of its own on a private subnet, cuts with iptables DROP, heals, and removes everything on stop", async () => {
    const progress: string[] = [];
    const cluster = await new LocalCluster()
      .withNodes(3)
      .withNetwork("kernel")
      .withProgress((line) => progress.push(line))
      .start();
    const network = cluster.network;
    const id = cluster.id;
    try {
      expect(cluster.networkKind).toBe("kernel");
      expect(progress.some((line) => line.startsWith("network: kernel"))).toBe(true);
      for (const url of cluster.clientUrls)
        expect(url).toMatch(new RegExp(`^nats://${SUBNET_PREFIX.replace(".", "\\.")}\\.\\d+\\.\\d+:4222$`));
      // Three namespaces, none of them ours, none shared.
      const own = readlinkSync("/proc/self/ns/net");
      const nodeNamespaces = cluster.nodes.map((node) => readlinkSync(`/proc/${node.pid}/ns/net`));
      expect(new Set([own, ...nodeNamespaces]).size).toBe(4);
      // Nothing leaves: no namespace has a default route; ours routes only the stack's /24 to its veth.
      for (const node of cluster.nodes) {
        const routes = execFileSync("ip", ["-n", node.namespace as string, "-4", "route"], { encoding: "utf8" })
          .trim()
          .split("\n");
        expect(routes).toHaveLength(1);
        expect(routes[0]).toMatch(/^10\.213\.\d+\.0\/24 dev eth0/);
      }
      expect(execFileSync("ip", ["-4", "route", "show", "dev", `g${id}h`], { encoding: "utf8" }).trim()).toMatch(/^10\.213\.\d+\.0\/24 /);
      // …and the rest of 10.213.0.0/16 nowhere: not even a stack that is gone can be routed to something real.
      expect(execFileSync("ip", ["-4", "route", "show", "type", "blackhole"], { encoding: "utf8" })).toContain("blackhole 10.213.0.0/16");

      const leader = await metaLeader(cluster.monitoringUrls[0] as string);
      const isolated = cluster.nodes.find((node) => node.name === leader);
      if (!isolated || !network) throw new Error(`no meta leader (${leader}) or no network`);
      await expect(network.partition([["nats-9"]])).rejects.toThrow('partition: unknown node "nats-9" (nodes: nats-1, nats-2, nats-3)');
      await network.partition([[isolated.name]]);
      if (!("rules" in network)) throw new Error("not a kernel network");
      expect(await network.rules(isolated.name)).toMatch(/-A INPUT -s 10\.213\.\d+\.\d+\/32 -j DROP/);
      // The other two cannot hear the leader any more: they elect one of their own.
      const others = cluster.nodes.filter((node) => node !== isolated);
      await waitUntil(
        async () => {
          const leaders = await Promise.all(others.map((node) => metaLeader(node.monitoringUrl).catch(() => undefined)));
          return leaders.every((name) => name !== undefined && name !== isolated.name && name === leaders[0]) ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 250, what: "the majority to elect a meta leader of its own" },
      );
      await network.heal();
      expect(await network.rules(isolated.name)).not.toContain("DROP");
      await waitForClusterFormed(cluster.monitoringUrls, { timeoutMs: 30_000 });
    } finally {
      await cluster.stop();
    }
    expect(namespaces()).not.toContain(`gauntlet-${id}-`);
    // Its addresses are unreachable now, not routed out of the machine.
    const refused = await new Promise<string>((resolve) => {
      const socket = connect({ host: new URL(cluster.clientUrls[0] as string).hostname, port: 4222 });
      socket.once("connect", () => {
        socket.destroy();
        resolve("connected");
      });
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
    });
    expect(refused).not.toBe("connected");
    expect(links()).not.toContain(`g${id}h`);
    expect(processesMatching(cluster.dir)).toEqual([]);
    expect(existsSync(join("/run/gauntlet-subnets", network && "subnet" in network ? network.subnet.base : "?"))).toBe(false);
  });

  it("leaves no namespace, link or node behind when the harness is SIGKILLed (crash guard)", async () => {
    const script = `
      import { LocalCluster } from ${JSON.stringify(new URL("../../harness/providers/local/index.ts", import.meta.url).pathname)};
      const cluster = await new LocalCluster().withNodes(2).withNetwork("kernel").start();
      console.log(JSON.stringify({ id: cluster.id, dir: cluster.dir }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const started = await new Promise<{ id: string; dir: string }>((resolve, reject) => {
      child.stdout.once("data", (chunk: Buffer) => resolve(JSON.parse(chunk.toString())));
      child.once("exit", (code) => reject(new Error(`the child exited (${code}) before its cluster started`)));
    });
    expect(namespaces()).toContain(`gauntlet-${started.id}-nats-1`);
    child.kill("SIGKILL");
    await waitUntil(
      async () => (!namespaces().includes(`gauntlet-${started.id}-`) && !links().includes(`g${started.id}h`) ? true : undefined),
      { timeoutMs: 15_000, intervalMs: 100, what: "the crash guard to delete the namespaces and the link" },
    );
    await waitUntil(async () => (processesMatching(started.dir).length === 0 ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 100,
      what: "the nodes to be killed",
    });
  });
});
