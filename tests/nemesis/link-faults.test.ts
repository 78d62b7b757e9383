import { createServer, type Server, connect as tcpConnect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HistoryRecorder } from "../../harness/history/index.ts";
import { Nemesis, waitForHealthy } from "../../harness/nemesis/index.ts";
import { LocalCluster } from "../../harness/providers/local/index.ts";
import { kernelNetworkUnavailable, LinkProxy, RETRANSMIT_MS, SegmentSchedule } from "../../harness/providers/local/network/index.ts";

let echo: Server;
let echoPort: number;

beforeAll(async () => {
  echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
  echoPort = (echo.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

/** Sends `payload` through `port` to the echo server and resolves with what came back and how long it took. */
function roundTrip(port: number, payload: Buffer): Promise<{ received: Buffer; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    const socket = tcpConnect({ port, host: "127.0.0.1" }, () => socket.write(payload));
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= payload.length) {
        socket.destroy();
        resolve({ received: Buffer.concat(chunks), ms: performance.now() - started });
      }
    });
    socket.once("error", reject);
  });
}

describe("slow and lossy links through a proxy", () => {
  it("a lost segment arrives one retransmission timeout late, never out of order, and the same seed replays the same schedule", () => {
    const shape = { delayMs: 50, jitterMs: 20, loss: 0.03, seed: 42 };
    const arrivals = (schedule: SegmentSchedule) => Array.from({ length: 500 }, (_, i) => schedule.arrival(i * 5, 1_460) - i * 5);
    const first = arrivals(new SegmentSchedule(shape, 0));
    expect(arrivals(new SegmentSchedule(shape, 0))).toEqual(first);
    expect(arrivals(new SegmentSchedule(shape, 1))).not.toEqual(first);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(30);
    // Some segments were lost and retransmitted: they (and whatever queued behind them) came an RTO late.
    expect(first.filter((delay) => delay >= 30 + RETRANSMIT_MS).length).toBeGreaterThan(0);
    const lossy = new SegmentSchedule({ ...shape, jitterMs: 0, loss: 1 }, 0);
    expect(lossy.arrival(0, 100)).toBe(50 + RETRANSMIT_MS);
    const ordered = new SegmentSchedule({ ...shape, jitterMs: 40 }, 0);
    const times = Array.from({ length: 200 }, (_, i) => ordered.arrival(i, 100));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("delays every byte both ways while degraded, loses none even at 50 % segment loss, and forwards at once after the heal", async () => {
    const link = await LinkProxy.listen("clients", "echo", echoPort);
    try {
      const payload = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
      link.degrade({ delayMs: 40, jitterMs: 0, loss: 0, seed: 1 });
      const slow = await roundTrip(link.port, Buffer.from("ping"));
      expect(slow.received.toString()).toBe("ping");
      // 40 ms each way, by construction of the delay line.
      expect(slow.ms).toBeGreaterThanOrEqual(80);

      link.degrade({ delayMs: 5, jitterMs: 5, loss: 0.5, seed: 2 });
      const lossy = await roundTrip(link.port, payload);
      expect(lossy.received.equals(payload)).toBe(true);

      link.degrade(undefined);
      expect(link.degraded).toBe(false);
      const healed = await roundTrip(link.port, payload);
      expect(healed.received.equals(payload)).toBe(true);
    } finally {
      await link.close();
    }
  });

  it("slow-link and lossy-link on a proxied cluster: routes and client links degraded, every link restored by the heal", async () => {
    const cluster = await new LocalCluster().withNodes(3).withNetwork("proxy").start();
    try {
      const network = cluster.proxies;
      if (!network) throw new Error("no proxy network");
      // Clients go through a proxy per node too.
      expect(network.clientLinks().map((link) => link.to)).toEqual(["nats-1", "nats-2", "nats-3"]);
      for (const node of cluster.nodes) expect(node.clientUrl).not.toContain(`:${node.ports.client}`);
      const nemesis = new Nemesis(cluster, { history: new HistoryRecorder(), seed: 5 });
      const slow = await nemesis.inject({ kind: "slow-link", links: "routes", nodes: ["nats-2"] });
      expect(slow.target).toMatchObject({ links: "routes", nodes: ["nats-2"], delayMs: 50, jitterMs: 20 });
      expect(network.links().filter((link) => link.degraded)).toHaveLength(4);
      expect(network.clientLinks().some((link) => link.degraded)).toBe(false);
      await nemesis.heal(slow);
      const lossy = await nemesis.inject({ kind: "lossy-link", links: "all", loss: 0.05 });
      expect(network.links().every((link) => link.degraded)).toBe(true);
      expect(network.clientLinks().every((link) => link.degraded)).toBe(true);
      await nemesis.heal(lossy);
      expect([...network.links(), ...network.clientLinks()].some((link) => link.degraded)).toBe(false);
      await expect(nemesis.inject({ kind: "lossy-link", loss: 2 })).rejects.toThrow("loss must be a probability from 0 to 1, got 2");
      expect(nemesis.unsupported("bandwidth-limit")).toMatch(/the proxy network cannot cap bandwidth/);
      await waitForHealthy(cluster, { timeoutMs: 20_000 });
    } finally {
      await cluster.stop();
    }
  });
});

const unavailable = kernelNetworkUnavailable();

describe.skipIf(unavailable !== undefined)(`lossy links on the kernel network${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("drops packets with iptables (every n-th, offset from the seed), caps bandwidth with tc htb, cannot delay, and the heal removes both", async () => {
    const cluster = await new LocalCluster().withNodes(3).withNetwork("kernel").start();
    try {
      const network = cluster.network;
      if (!network || cluster.networkKind !== "kernel" || !("rules" in network)) throw new Error("no kernel network");
      const nemesis = new Nemesis(cluster, { history: new HistoryRecorder(), seed: 5 });
      expect(nemesis.unsupported("slow-link")).toMatch(/the kernel network cannot delay packets .*use --network proxy/);
      expect(nemesis.unsupported("lossy-link")).toBeUndefined();
      const lossy = await nemesis.inject({ kind: "lossy-link", links: "all", loss: 0.05 });
      const rules = await network.rules("nats-1");
      expect(rules).toMatch(/-A INPUT -p tcp -m multiport --ports 6222 -m statistic --mode nth --every 20 --packet \d+ -j DROP/);
      expect(rules).toMatch(/-A OUTPUT -p tcp -m tcp --sport 4222 -m statistic --mode nth --every 20 --packet \d+ -j DROP/);
      await nemesis.heal(lossy);
      expect(await network.rules("nats-1")).not.toContain("statistic");
      const capped = await nemesis.inject({ kind: "bandwidth-limit", nodes: ["nats-2"], rateKbit: 512 });
      expect(await network.queueing("nats-2")).toMatch(/htb 1: root/);
      expect(await network.queueing("nats-1")).not.toMatch(/htb/);
      await nemesis.heal(capped);
      expect(await network.queueing("nats-2")).not.toMatch(/htb/);
      await expect(nemesis.inject({ kind: "bandwidth-limit", rateKbit: 0.5 })).rejects.toThrow("rateKbit must be a whole number");
      await waitForHealthy(cluster, { timeoutMs: 20_000 });
    } finally {
      await cluster.stop();
    }
  });
});
