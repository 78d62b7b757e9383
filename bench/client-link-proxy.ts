// What the proxy network's client links cost, side by side in one run: one nats-server, a
// responder, and a client requesting through (a) the node's client port and (b) a LinkProxy in
// front of it, as `--network proxy` gives every client; then (c) the same proxy degraded with
// 50 ms ± 20 one way, to show the slow-link fault's effect. Sequential requests in alternating
// blocks; prints p50/p99 per path and the proxy/direct ratios.
// Usage: node bin/gauntlet.mjs exec node bench/client-link-proxy.ts [--blocks 10] [--requests 200]
import { parseArgs } from "node:util";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { LocalCluster } from "../harness/providers/local/index.ts";
import { LinkProxy } from "../harness/providers/local/network/index.ts";
import { percentile } from "../lib/percentile/index.ts";

const { values } = parseArgs({ options: { blocks: { type: "string", default: "10" }, requests: { type: "string", default: "200" } } });
const blocks = Number(values.blocks);
const perBlock = Number(values.requests);
const SUBJECT = "bench.echo";

await using cluster = await new LocalCluster().withNodes(1).start();
const node = cluster.nodes[0];
if (!node) throw new Error("no node");
const healthy = await LinkProxy.listen("clients", node.name, node.ports.client);
const slow = await LinkProxy.listen("clients", node.name, node.ports.client);
slow.degrade({ delayMs: 50, jitterMs: 20, loss: 0, seed: 1 });
const responder = await connect({ servers: node.clientUrl });
responder.subscribe(SUBJECT, {
  callback: (_error, message) => {
    message.respond(message.data);
  },
});
await responder.flush();
const paths: Record<string, NatsConnection> = {
  direct: await connect({ servers: node.clientUrl }),
  "client proxy": await connect({ servers: `nats://127.0.0.1:${healthy.port}` }),
  "client proxy, slow-link 50±20 ms": await connect({ servers: `nats://127.0.0.1:${slow.port}` }),
};
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
const payload = new Uint8Array(256);
try {
  for (let block = 0; block < blocks; block++) {
    for (const [name, nc] of Object.entries(paths)) {
      const count = name.includes("slow") ? Math.max(1, Math.floor(perBlock / 20)) : perBlock;
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        await nc.request(SUBJECT, payload, { timeout: 5_000 });
        samples[name]?.push(performance.now() - started);
      }
    }
    process.stderr.write(`block ${block + 1}/${blocks}\n`);
  }
  const stats = (name: string) => {
    const sorted = Float64Array.from(samples[name] ?? []).sort();
    return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  const direct = stats("direct");
  for (const name of Object.keys(paths)) {
    const s = stats(name);
    console.log(
      `${name.padEnd(34)} n=${String(s.n).padStart(5)}  p50 ${s.p50.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms  (p50 ×${(s.p50 / direct.p50).toFixed(2)} of direct)`,
    );
  }
} finally {
  await Promise.all([...Object.values(paths), responder].map((nc) => nc.close()));
  await healthy.close();
  await slow.close();
}
