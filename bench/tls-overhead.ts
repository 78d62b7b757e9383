// What TLS costs, measured side by side in one run: the same one-node cluster, responder and
// gateway process twice — plain, and TLS everywhere as `gauntlet up --tls` makes it (NATS with
// client certificates, the gateway serving HTTPS). Sequential requests in alternating blocks:
//  1. through the gateway with the load engine's HTTP client (keep-alive: the handshake once);
//  2. direct nats.js requests;
//  3. a new connection per request (TLS handshake each time, as a client without keep-alive).
// Prints p50/p99 per path and variant, and the TLS/plain ratio of the p50s.
// Usage: node bin/gauntlet.mjs exec node bench/tls-overhead.ts [--blocks 10] [--requests 100]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type HttpRequestSpec, OriginClient, trustingCa } from "../harness/load/http/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../harness/providers/local/index.ts";
import { GatewayProcess } from "../harness/stack/index.ts";
import { natsConnectionOptions } from "../lib/nats-options/index.ts";
import { percentile } from "../lib/percentile/index.ts";

const SUBJECT = "svc.bench.echo";
const MANIFEST = `services:
  - name: bench
    version: 1.0.0
    endpoints:
      - { name: echo, subject: ${SUBJECT}, timeout: 5s, samples: [{}], responseSchema: { type: object } }
`;
const REQUEST: HttpRequestSpec = {
  method: "POST",
  path: "/v1/bench/echo",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ prompt: "bench" }),
  timeoutMs: 5_000,
};

const { values } = parseArgs({ options: { blocks: { type: "string", default: "10" }, requests: { type: "string", default: "100" } } });
const blocks = Number(values.blocks);
const perBlock = Number(values.requests);

interface Variant {
  readonly name: "plain" | "tls";
  readonly cluster: StartedLocalCluster;
  readonly gateway: GatewayProcess;
  readonly responder: NatsConnection;
  readonly client: NatsConnection;
  readonly http: OriginClient;
  readonly ca: string | undefined;
  readonly samples: Record<"gateway" | "nats" | "gateway, new connection each", number[]>;
}

const dir = mkdtempSync(join(tmpdir(), "gauntlet-tls-bench-"));
const manifest = join(dir, "manifest.yaml");
writeFileSync(manifest, MANIFEST);
const variants: Variant[] = [];

async function start(name: Variant["name"]): Promise<Variant> {
  const cluster = await new LocalCluster()
    .withNodes(1)
    .withTls(name === "tls")
    .start();
  const tls = cluster.tls;
  const access = { servers: cluster.clientUrls, ...(tls ? { tls: { ca: tls.ca, ...tls.client } } : {}) };
  const responder = await connect(natsConnectionOptions(access, { name: "bench-responder" }));
  responder.subscribe(SUBJECT, {
    callback: (_error, msg) => {
      msg.respond(JSON.stringify({ ok: true, output: "x".repeat(64) }));
    },
  });
  await responder.flush();
  const gateway = new GatewayProcess({
    name: `gateway-${name}`,
    manifest,
    servers: cluster.clientUrls,
    credentials: { user: "bench", pass: "bench" },
    tls,
  });
  await gateway.start();
  const client = await connect(natsConnectionOptions(access, { name: "bench-client" }));
  const http = new OriginClient(gateway.url, undefined, tls ? trustingCa(readFileSync(tls.ca, "utf8")) : undefined);
  const samples = { gateway: [], nats: [], "gateway, new connection each": [] };
  return { name, cluster, gateway, responder, client, http, ca: tls?.ca, samples };
}

async function timed(samples: number[], operation: () => Promise<unknown>): Promise<void> {
  const startedAt = performance.now();
  await operation();
  samples.push(performance.now() - startedAt);
}

async function block(variant: Variant): Promise<void> {
  for (let i = 0; i < perBlock; i++) {
    await timed(variant.samples.gateway, async () => {
      const response = await variant.http.request(REQUEST);
      if (response.status !== 200) throw new Error(`${variant.name} gateway answered ${response.status}`);
    });
    await timed(variant.samples.nats, () => variant.client.request(SUBJECT, "{}", { timeout: 5_000 }));
  }
  const secureContext = variant.ca ? trustingCa(readFileSync(variant.ca, "utf8")) : undefined;
  for (let i = 0; i < perBlock / 10; i++) {
    const fresh = new OriginClient(variant.gateway.url, undefined, secureContext);
    await timed(variant.samples["gateway, new connection each"], () => fresh.request(REQUEST));
    fresh.close();
  }
}

try {
  variants.push(await start("plain"), await start("tls"));
  for (const variant of variants) await block(variant); // warm-up, not counted
  for (const variant of variants) for (const samples of Object.values(variant.samples)) samples.length = 0;
  for (let b = 0; b < blocks; b++) for (const variant of b % 2 === 0 ? variants : [...variants].reverse()) await block(variant);

  const [plain, tls] = variants as [Variant, Variant];
  const ms = (value: number) => value.toFixed(2).padStart(8);
  process.stdout.write(`${blocks} alternating blocks of ${perBlock} sequential requests per path\n\n`);
  process.stdout.write(
    `${"path".padEnd(30)} ${"plain p50".padStart(10)} ${"tls p50".padStart(10)} ${"ratio".padStart(7)} ${"plain p99".padStart(10)} ${"tls p99".padStart(10)}\n`,
  );
  for (const path of Object.keys(plain.samples) as Array<keyof Variant["samples"]>) {
    const sorted = (samples: number[]) => [...samples].sort((a, b) => a - b);
    const [p, t] = [sorted(plain.samples[path]), sorted(tls.samples[path])];
    const ratio = percentile(t, 50) / percentile(p, 50);
    process.stdout.write(
      `${path.padEnd(30)} ${ms(percentile(p, 50))} ms ${ms(percentile(t, 50))} ms ${ratio.toFixed(2).padStart(6)}× ${ms(percentile(p, 99))} ms ${ms(percentile(t, 99))} ms\n`,
    );
  }
} finally {
  for (const variant of variants) {
    variant.http.close();
    await variant.gateway.stop();
    await variant.client.close();
    await variant.responder.close();
    await variant.cluster.stop();
  }
  rmSync(dir, { recursive: true, force: true });
}
