// Gateway overhead, measured side by side in one run on one nats-server:
//  1. throughput: autocannon (same flags, in its own process) against the gateway process and
//     against a bare node:http handler doing the same NATS request, in short alternating slices
//     compared pair by pair → ratio gateway/bare, plus each server's CPU time per request;
//  2. latency at half the bare handler's saturation rate (open loop, 1 ms ticks) and
//     sequentially: direct nats.js request vs bare handler vs gateway → p50 added latency,
//     plus each server's CPU time per request at that same offered rate.
// Usage: node bin/gauntlet.mjs exec node bench/gateway-overhead.ts [--slice 2] [--pairs 8] [--connections 32] [--latency-rate N]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
import { waitUntil } from "../lib/retry/index.ts";

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
    slice: { type: "string", default: "2" },
    pairs: { type: "string", default: "8" },
    connections: { type: "string", default: "32" },
    "latency-rate": { type: "string" },
  },
});
const sliceS = Number(values.slice);
const pairs = Number(values.pairs);
const connections = Number(values.connections);

const children: SupervisedProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), "gauntlet-gateway-bench-"));
const cluster = await new LocalCluster().withNodes(1).start();
const natsUrl = cluster.clientUrls[0] as string;
// nats-server opens its client port after /varz (LocalCluster's readiness) answers; /healthz waits for it.
await waitUntil(() => fetch(`${cluster.monitoringUrls[0]}/healthz`).then((res) => (res.ok ? true : undefined)), {
  timeoutMs: 15_000,
  what: "nats-server /healthz",
});
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
  const { url: gatewayUrl, pid: gatewayPid } = await serve("gateway", [
    here("../gateway/bin/gateway.ts"),
    "--manifest",
    manifestFile,
    "--servers",
    natsUrl,
  ]);
  const { url: bareUrl, pid: barePid } = await serve("bare", [here("gateway-bare-server.ts"), natsUrl, SUBJECT, "5000"]);
  const targets = { gateway: `${gatewayUrl}/v1/bench/echo`, bare: `${bareUrl}/` } as const;
  for (const url of Object.values(targets)) {
    const check = await fetch(url, { method: "POST", body: REQUEST_BODY, headers: { "content-type": "application/json" } });
    if (check.status !== 200) throw new Error(`${url} answered ${check.status}: ${await check.text()}`);
  }

  progress("warm-up");
  for (const url of Object.values(targets)) await autocannon(url, 2);
  const pids = { gateway: gatewayPid, bare: barePid };

  // The machine is shared: load drifts by several times within a minute. Short slices run in
  // alternating order and compared pair by pair cancel most of that drift.
  const rps = { gateway: [] as number[], bare: [] as number[], ratio: [] as number[] };
  // CPU time each server process spends per request: robust to other processes' load.
  const cpuPerRequest = { gateway: [] as number[], bare: [] as number[] };
  for (let pair = 0; pair < pairs; pair++) {
    const order = pair % 2 === 0 ? (["gateway", "bare"] as const) : (["bare", "gateway"] as const);
    const result = { gateway: 0, bare: 0 };
    const cpu = { gateway: 0, bare: 0 };
    for (const name of order) {
      const before = cpuMicros(pids[name]);
      const run = await autocannon(targets[name], sliceS);
      result[name] = run.average;
      cpu[name] = (cpuMicros(pids[name]) - before) / run.total;
    }
    rps.gateway.push(result.gateway);
    rps.bare.push(result.bare);
    rps.ratio.push(result.gateway / result.bare);
    cpuPerRequest.gateway.push(cpu.gateway);
    cpuPerRequest.bare.push(cpu.bare);
    progress(
      `throughput pair ${pair + 1}/${pairs}: gateway ${result.gateway.toFixed(0)} req/s (${cpu.gateway.toFixed(0)} µs CPU/req), bare ${result.bare.toFixed(0)} req/s (${cpu.bare.toFixed(0)} µs CPU/req)`,
    );
  }
  // Half the bare handler's saturation rate, unless --latency-rate fixes it (on a loaded machine
  // half of a noisy saturation figure can still starve a process of CPU).
  const halfRate = values["latency-rate"] ? Number(values["latency-rate"]) : Math.max(100, Math.floor(median(rps.bare) / 2));

  const gatewayPool = new Pool(gatewayUrl, { connections: 64 });
  const barePool = new Pool(bareUrl, { connections: 64 });
  const senders = {
    direct: () => directRequest(client),
    bare: () => httpPost(barePool, "/"),
    gateway: () => httpPost(gatewayPool, "/v1/bench/echo"),
  };
  const names = ["direct", "bare", "gateway"] as const;
  const loaded = {
    direct: [] as number[],
    bare: [] as number[],
    gateway: [] as number[],
    addedVsDirect: [] as number[],
    addedVsBare: [] as number[],
  };
  const sequential = {
    direct: [] as number[],
    bare: [] as number[],
    gateway: [] as number[],
    addedVsDirect: [] as number[],
    addedVsBare: [] as number[],
  };
  const cpuAtHalfRate = { gateway: [] as number[], bare: [] as number[] };
  for (let round = 0; round < pairs; round++) {
    const open = { direct: 0, bare: 0, gateway: 0 };
    const seq = { direct: 0, bare: 0, gateway: 0 };
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length] as (typeof names)[number];
      const before = name === "direct" ? 0 : cpuMicros(pids[name]);
      open[name] = (await openLoop(halfRate, sliceS, senders[name])).p50;
      if (name !== "direct") cpuAtHalfRate[name].push((cpuMicros(pids[name]) - before) / (halfRate * sliceS));
      seq[name] = (await sequentialLoop(500, senders[name])).p50;
    }
    for (const [table, values] of [
      [loaded, open],
      [sequential, seq],
    ] as const) {
      for (const name of names) table[name].push(values[name]);
      table.addedVsDirect.push(values.gateway - values.direct);
      table.addedVsBare.push(values.gateway - values.bare);
    }
    progress(`latency round ${round + 1}/${pairs}: p50 µs at ${halfRate} req/s ${JSON.stringify(open)}, sequential ${JSON.stringify(seq)}`);
  }
  await gatewayPool.close();
  await barePool.close();

  const latency = (table: typeof loaded) => ({
    p50Us: { direct: median(table.direct), bare: median(table.bare), gateway: median(table.gateway) },
    addedVsDirectMs: round3(median(table.addedVsDirect) / 1000),
    addedVsBareMs: round3(median(table.addedVsBare) / 1000),
  });
  const summary = {
    method: `${pairs} alternating pairs of ${sliceS}s slices; medians of per-pair figures; autocannon -c ${connections} -p 1`,
    throughput: {
      gatewayRps: Math.round(median(rps.gateway)),
      bareRps: Math.round(median(rps.bare)),
      ratio: round3(median(rps.ratio)),
      ratioRange: [round3(Math.min(...rps.ratio)), round3(Math.max(...rps.ratio))],
    },
    cpuPerRequestAtHalfRateUs: {
      gateway: Math.round(median(cpuAtHalfRate.gateway)),
      bare: Math.round(median(cpuAtHalfRate.bare)),
      ratio: round3(median(cpuAtHalfRate.bare) / median(cpuAtHalfRate.gateway)),
    },
    cpuPerRequestUs: {
      gateway: Math.round(median(cpuPerRequest.gateway)),
      bare: Math.round(median(cpuPerRequest.bare)),
      ratio: round3(median(cpuPerRequest.bare) / median(cpuPerRequest.gateway)),
    },
    latencyAtHalfSaturation: { rate: halfRate, ...latency(loaded) },
    latencySequential: latency(sequential),
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

async function serve(label: string, args: string[]): Promise<{ url: string; pid: number }> {
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
  return { url: (JSON.parse(line) as { url: string }).url, pid: child.pid ?? 0 };
}

/** Requests/s autocannon sustains against `url` (its own process, the same flags for every target). */
function autocannon(url: string, seconds: number): Promise<{ average: number; total: number }> {
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
        const result = JSON.parse(out) as { requests: { average: number; total: number }; non2xx: number; errors: number };
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${result.non2xx} non-2xx and ${result.errors} errors from ${url}`);
        resolve({ average: result.requests.average, total: result.requests.total });
      } catch (error) {
        reject(new Error(`autocannon exited ${code} against ${url}: ${(error as Error).message}`));
      }
    });
  });
}

/** User + system CPU time of a process so far, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
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

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
