// Gateway overhead, measured side by side in one run on one nats-server:
//  1. throughput: autocannon (same settings, alternating rounds) against the gateway process
//     and against a bare node:http handler doing the same NATS request → ratio gateway/bare;
//  2. latency at half the bare handler's saturation rate (open loop, 1 ms ticks) and
//     sequentially: direct nats.js request vs bare handler vs gateway → p50 added latency.
// Usage: node bin/gauntlet.mjs exec node bench/gateway-overhead.ts [--duration 5] [--rounds 3] [--connections 32]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import * as hdr from "hdr-histogram-js";
import { Pool } from "undici";
import { SupervisedProcess } from "../harness/process/index.ts";
import { LocalCluster } from "../harness/providers/local/index.ts";

const SUBJECT = "svc.bench.echo";
const REQUEST_BODY = JSON.stringify({ prompt: "bench", n: 1 });
const REPLY = JSON.stringify({ ok: true, output: "x".repeat(64) });
const MANIFEST = `services:
  - name: bench
    version: 1.0.0
    endpoints:
      - { name: echo, subject: ${SUBJECT}, timeout: 5s, samples: [{}], responseSchema: { type: object } }
`;
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const AUTOCANNON = here("../node_modules/autocannon/autocannon.js");

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "32" },
  },
});
const durationS = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);

const children: SupervisedProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "gauntlet-gateway-bench-"));
const cluster = await new LocalCluster().withNodes(1).start();
const natsUrl = cluster.clientUrls[0] as string;
const responder = await connect({ servers: natsUrl });
const client = await connect({ servers: natsUrl });

try {
  responder.subscribe(SUBJECT, {
    callback: (_err, msg) => {
      msg.respond(REPLY);
    },
  });
  await responder.flush();
  const manifestFile = join(dir, "manifest.yaml");
  writeFileSync(manifestFile, MANIFEST);
  const gatewayUrl = await serve("gateway", [here("../gateway/bin/gateway.ts"), "--manifest", manifestFile, "--servers", natsUrl]);
  const bareUrl = await serve("bare", [here("gateway-bare-server.ts"), natsUrl, SUBJECT, "5000"]);
  const targets = { gateway: `${gatewayUrl}/v1/bench/echo`, bare: `${bareUrl}/` } as const;
  for (const url of Object.values(targets)) {
    const check = await fetch(url, { method: "POST", body: REQUEST_BODY, headers: { "content-type": "application/json" } });
    if (check.status !== 200) throw new Error(`${url} answered ${check.status}: ${await check.text()}`);
  }

  progress("warm-up");
  for (const url of Object.values(targets)) await autocannon(url, 2);

  const rps: Record<keyof typeof targets, number[]> = { gateway: [], bare: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (["gateway", "bare"] as const) : (["bare", "gateway"] as const);
    for (const name of order) {
      const result = await autocannon(targets[name], durationS);
      rps[name].push(result);
      progress(`throughput round ${round + 1}/${rounds} ${name}: ${result.toFixed(0)} req/s`);
    }
  }
  const gatewayRps = median(rps.gateway);
  const bareRps = median(rps.bare);
  const halfRate = Math.max(100, Math.floor(bareRps / 2));

  const pool = new Pool(targets.gateway.replace(/\/v1\/bench\/echo$/, ""), { connections: 64 });
  const barePool = new Pool(bareUrl, { connections: 64 });
  const senders: Record<"direct" | "bare" | "gateway", () => Promise<void>> = {
    direct: () => directRequest(client),
    bare: () => httpPost(barePool, "/"),
    gateway: () => httpPost(pool, "/v1/bench/echo"),
  };
  const loaded: Record<string, number[]> = { direct: [], bare: [], gateway: [] };
  const sequential: Record<string, number[]> = { direct: [], bare: [], gateway: [] };
  for (let round = 0; round < 2; round++) {
    for (const name of ["direct", "bare", "gateway"] as const) {
      const open = await openLoop(halfRate, durationS, senders[name]);
      loaded[name]?.push(open.p50);
      const seq = await sequentialLoop(2_000, senders[name]);
      sequential[name]?.push(seq.p50);
      progress(
        `latency round ${round + 1}/2 ${name}: p50 ${open.p50} µs at ${halfRate} req/s (p99 ${open.p99} µs, failed ${open.failed}), sequential p50 ${seq.p50} µs`,
      );
    }
  }
  await pool.close();
  await barePool.close();

  const p50 = (table: Record<string, number[]>, name: string) => median(table[name] ?? []);
  const summary = {
    throughput: {
      gatewayRps: Math.round(gatewayRps),
      bareRps: Math.round(bareRps),
      ratio: round2(gatewayRps / bareRps),
      rounds,
      durationS,
      connections,
    },
    latencyAtHalfSaturation: {
      rate: halfRate,
      p50Us: { direct: p50(loaded, "direct"), bare: p50(loaded, "bare"), gateway: p50(loaded, "gateway") },
      addedVsDirectMs: round2((p50(loaded, "gateway") - p50(loaded, "direct")) / 1000),
      addedVsBareMs: round2((p50(loaded, "gateway") - p50(loaded, "bare")) / 1000),
    },
    latencySequential: {
      p50Us: { direct: p50(sequential, "direct"), bare: p50(sequential, "bare"), gateway: p50(sequential, "gateway") },
      addedVsDirectMs: round2((p50(sequential, "gateway") - p50(sequential, "direct")) / 1000),
      addedVsBareMs: round2((p50(sequential, "gateway") - p50(sequential, "bare")) / 1000),
    },
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
} finally {
  await Promise.all(children.map((child) => child.stop()));
  await client.close();
  await responder.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}

function progress(line: string): void {
  process.stderr.write(`[gateway-overhead] ${line}\n`);
}

async function serve(label: string, args: string[]): Promise<string> {
  const child = SupervisedProcess.spawn({ label, command: process.execPath, args });
  children.push(child);
  const line = await child.untilReady(
    new Promise<string>((resolve) => {
      let buffered = "";
      child.child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const newline = buffered.indexOf("\n");
        if (newline >= 0) resolve(buffered.slice(0, newline));
      });
    }),
  );
  return (JSON.parse(line) as { url: string }).url;
}

/** Requests/s autocannon sustains against `url` (its own process, the same flags for every target). */
function autocannon(url: string, seconds: number): Promise<number> {
  const args = [AUTOCANNON, "-c", String(connections), "-p", "1", "-d", String(seconds), "-m", "POST"];
  args.push("-H", "content-type=application/json", "-b", REQUEST_BODY, "-j", url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      try {
        const result = JSON.parse(out) as { requests: { average: number }; non2xx: number; errors: number };
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx and ${result.errors} errors from ${url}`);
        resolve(result.requests.average);
      } catch (error) {
        reject(new Error(`autocannon exited ${code} against ${url}: ${(error as Error).message}`));
      }
    });
  });
}

async function directRequest(nc: NatsConnection): Promise<void> {
  await nc.request(SUBJECT, REQUEST_BODY, { timeout: 5_000 });
}

async function httpPost(pool: Pool, path: string): Promise<void> {
  const res = await pool.request({ path, method: "POST", body: REQUEST_BODY, headers: { "content-type": "application/json" } });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
}

interface LatencyResult {
  p50: number;
  p99: number;
  failed: number;
}

/** Open loop at `rate` req/s for `seconds`: every 1 ms tick sends what is due; latency from send to reply, in µs. */
function openLoop(rate: number, seconds: number, send: () => Promise<void>): Promise<LatencyResult> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const total = Math.floor(rate * seconds);
  let issued = 0;
  let settled = 0;
  let failed = 0;
  const start = performance.now();
  return new Promise((resolve) => {
    const finish = () => {
      const result = { p50: histogram.getValueAtPercentile(50), p99: histogram.getValueAtPercentile(99), failed };
      histogram.destroy();
      resolve(result);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
      while (issued < due) {
        issued += 1;
        const sent = performance.now();
        send()
          .then(
            () => histogram.recordValue(Math.max(1, Math.round((performance.now() - sent) * 1000))),
            () => {
              failed += 1;
            },
          )
          .finally(() => {
            settled += 1;
            if (settled === total) finish();
          });
      }
      if (issued < total) setTimeout(tick, 1);
    };
    tick();
  });
}

/** One request at a time: the per-request cost without any queueing. */
async function sequentialLoop(count: number, send: () => Promise<void>): Promise<LatencyResult> {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const sent = performance.now();
    try {
      await send();
      histogram.recordValue(Math.max(1, Math.round((performance.now() - sent) * 1000)));
    } catch {
      failed += 1;
    }
  }
  const result = { p50: histogram.getValueAtPercentile(50), p99: histogram.getValueAtPercentile(99), failed };
  histogram.destroy();
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
