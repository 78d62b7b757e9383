// Anchors for the load engine, measured side by side in one run on the same machine:
//   1. HTTP generator capacity vs autocannon and wrk: same trivial endpoint, same connections,
//      two worker threads/threads each (targets ≥ 1.0× autocannon, ≥ 0.5× wrk);
//   2. NATS core publish and JetStream async publish vs `nats bench` against the same
//      nats-server (target ≥ 0.5×);
//   3. accuracy: fixed arrival rate against an endpoint with a known injected delay, measured
//      p50/p99 vs the delays the server actually held (target within 5 %).
// Run: node bin/gauntlet.mjs exec node bench/load-anchors.ts [seconds-per-run=5] [http,pub,js,accuracy]
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { ensureNatsCli } from "../harness/bootstrap/bootstrap.mjs";
import { runLoad } from "../harness/load/index.ts";
import { LocalCluster } from "../harness/providers/local/index.ts";
import { percentile } from "../lib/percentile/index.ts";

const seconds = Number(process.argv[2] ?? 5);
const only = new Set((process.argv[3] ?? "http,pub,js,accuracy").split(","));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const CONNECTIONS = 50;
const JS_OUTSTANDING = 500;

const percentileOf = (values: number[], p: number) =>
  percentile(
    [...values].sort((a, b) => a - b),
    p,
  );

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return `${result.stdout}${result.stderr}`;
}

/** "1,234,567 msgs/sec" from nats bench's summary line. */
function natsBenchRate(output: string): number {
  const match = /stats:\s+([\d,]+)\s+msgs\/sec/.exec(output);
  if (!match) throw new Error(`cannot read nats bench output:\n${output}`);
  return Number((match[1] as string).replaceAll(",", ""));
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [here("./load-anchor-server.ts")], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (data) => resolve(String(data).trim()));
    child.once("exit", (code) => reject(new Error(`anchor server exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

const rows: { anchor: string; gauntlet: string; reference: string; ratio: string; target: string }[] = [];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

await using cluster = await new LocalCluster().withNodes(1).start();
const server = await startServer();
try {
  const target = { nats: { servers: cluster.clientUrls, monitoring: cluster.monitoringUrls } };
  const durationMs = seconds * 1000;
  const server0 = cluster.clientUrls[0] as string;

  // 1. HTTP generator capacity: a warm-up, then two rounds in opposite orders, best of each.
  if (only.has("http")) await httpAnchor();
  async function httpAnchor() {
    const fast = `${server.url}/fast`;
    const gauntletHttp = async () => {
      const result = await runLoad({
        scenario: here("./load-anchor-http.ts"),
        target: {},
        env: { URL: fast },
        duration: durationMs,
        workers: 2,
        progress: false,
      });
      return (result.metrics.http_reqs?.count ?? 0) / (durationMs / 1000);
    };
    const autocannonHttp = async () => {
      const out = JSON.parse(
        run(here("../node_modules/.bin/autocannon"), ["-c", String(CONNECTIONS), "-d", String(seconds), "-w", "2", "--json", fast]),
      ) as {
        requests: { total: number };
      };
      return out.requests.total / (durationMs / 1000);
    };
    const wrkHttp = async () =>
      Number(/Requests\/sec:\s+([\d.]+)/.exec(run("wrk", ["-t2", `-c${CONNECTIONS}`, `-d${seconds}s`, fast]))?.[1]);
    run("wrk", ["-t2", `-c${CONNECTIONS}`, "-d2s", fast]);
    const best = { gauntlet: 0, autocannon: 0, wrk: 0 };
    for (const order of [
      ["gauntlet", "autocannon", "wrk"],
      ["wrk", "autocannon", "gauntlet"],
    ] as const) {
      for (const tool of order) {
        const rps = await (tool === "gauntlet" ? gauntletHttp() : tool === "autocannon" ? autocannonHttp() : wrkHttp());
        best[tool] = Math.max(best[tool], rps);
      }
    }
    rows.push({
      anchor: `HTTP req/s (${CONNECTIONS} conns, 2 threads, best of 2) vs autocannon`,
      gauntlet: fmt(best.gauntlet),
      reference: fmt(best.autocannon),
      ratio: (best.gauntlet / best.autocannon).toFixed(2),
      target: "≥ 1.0",
    });
    rows.push({
      anchor: `HTTP req/s (${CONNECTIONS} conns, 2 threads, best of 2) vs wrk`,
      gauntlet: fmt(best.gauntlet),
      reference: fmt(best.wrk),
      ratio: (best.gauntlet / best.wrk).toFixed(2),
      target: "≥ 0.5",
    });
  }

  // 2a. NATS core publish.
  if (only.has("pub")) await pubAnchor();
  async function pubAnchor() {
    const natsCli = await ensureNatsCli();
    // Two rounds in opposite orders, best of each, as for HTTP: the machine's load drifts.
    const gauntletPub = async () => {
      const pub = await runLoad({ scenario: here("./load-anchor-pub.ts"), target, duration: durationMs, workers: 2, progress: false });
      return (pub.metrics.nats_pubs?.count ?? 0) / (durationMs / 1000);
    };
    const natsBenchPub = async () =>
      natsBenchRate(
        run(natsCli, ["bench", "pub", "gauntlet.bench.pub", "-s", server0, "--msgs", "3000000", "--size", "128", "--no-progress"]),
      );
    let pubRate = await gauntletPub();
    let benchPub = await natsBenchPub();
    benchPub = Math.max(benchPub, await natsBenchPub());
    pubRate = Math.max(pubRate, await gauntletPub());
    rows.push({
      anchor: "NATS core publish msgs/s (best of 2) vs nats bench pub",
      gauntlet: fmt(pubRate),
      reference: fmt(benchPub),
      ratio: (pubRate / benchPub).toFixed(2),
      target: "≥ 0.5",
    });
    // Context: the client library's own ceiling, a bare nats.js publish loop in one thread.
    const bare = await connect({ servers: cluster.clientUrls });
    const payload = new Uint8Array(128);
    let bareCount = 0;
    const bareEnd = performance.now() + durationMs;
    while (performance.now() < bareEnd) {
      for (let i = 0; i < 1000; i++) bare.publish("gauntlet.bench.pub", payload);
      bareCount += 1000;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await bare.flush();
    await bare.close();
    const bareRate = bareCount / (durationMs / 1000);
    rows.push({
      anchor: "  (context) bare nats.js publish loop, 1 thread",
      gauntlet: fmt(pubRate),
      reference: fmt(bareRate),
      ratio: (pubRate / bareRate).toFixed(2),
      target: "",
    });
  }

  // 2b. JetStream async publish, same stream (file storage, R1), same number of acks outstanding.
  if (only.has("js")) await jsAnchor();
  async function jsAnchor() {
    const natsCli = await ensureNatsCli();
    const natsBenchJs = async () =>
      natsBenchRate(
        run(natsCli, [
          "bench",
          "js",
          "pub",
          "async",
          "gauntlet.bench.js",
          "-s",
          server0,
          "--create",
          "--purge",
          "--storage",
          "file",
          "--batch",
          String(JS_OUTSTANDING),
          "--msgs",
          "200000",
          "--size",
          "128",
          "--no-progress",
        ]),
      );
    let jsFailed = 0;
    const gauntletJs = async () => {
      const js = await runLoad({
        scenario: here("./load-anchor-jspub.ts"),
        target,
        env: {},
        duration: durationMs,
        workers: 2,
        progress: false,
      });
      jsFailed += js.metrics.js_pub_failed?.passes ?? 0;
      return (js.metrics.js_pubs?.count ?? 0) / (durationMs / 1000);
    };
    // Two rounds in opposite orders, best of each (the first creates the stream).
    let benchJs = await natsBenchJs();
    let jsRate = await gauntletJs();
    jsRate = Math.max(jsRate, await gauntletJs());
    benchJs = Math.max(benchJs, await natsBenchJs());
    rows.push({
      anchor: `JetStream async publish msgs/s (${JS_OUTSTANDING} in flight, best of 2) vs nats bench js pub async`,
      gauntlet: fmt(jsRate),
      reference: fmt(benchJs),
      ratio: (jsRate / benchJs).toFixed(2),
      target: "≥ 0.5",
    });
    if (jsFailed)
      rows.push({ anchor: "  (JetStream publishes that failed)", gauntlet: String(jsFailed), reference: "", ratio: "", target: "" });
    const nc = await connect({ servers: cluster.clientUrls });
    await (await jetstreamManager(nc)).streams.delete("benchstream").catch(() => false);
    await nc.close();
  }

  // 3. Accuracy at a fixed arrival rate against a known delay.
  if (only.has("accuracy")) await accuracyAnchor();
  async function accuracyAnchor() {
    await fetch(`${server.url}/truth`).then((r) => r.json());
    const accuracy = await runLoad({
      scenario: here("./load-anchor-accuracy.ts"),
      target: {},
      env: { URL: `${server.url}/delay` },
      duration: 2 * durationMs,
      workers: 2,
      progress: false,
    });
    const held = (await fetch(`${server.url}/truth`).then((r) => r.json())) as number[];
    const measured = accuracy.metrics.http_req_duration?.trend;
    for (const [name, p, m] of [
      ["p50", 50, measured?.med ?? Number.NaN],
      ["p99", 99, measured?.p99 ?? Number.NaN],
    ] as const) {
      const truth = percentileOf(held, p);
      const nominal = percentileOf(
        Array.from({ length: held.length }, (_, i) => 20 + ((i * 37) % 100)),
        p,
      );
      rows.push({
        anchor: `accuracy ${name} ms at 100/s vs held by the server (${held.length} reqs, injected ${name} ${nominal} ms)`,
        gauntlet: m.toFixed(2),
        reference: truth.toFixed(2),
        ratio: `${(((m - truth) / truth) * 100).toFixed(2)} %`,
        target: "within ±5 %",
      });
    }
  }
} finally {
  server.child.kill("SIGTERM");
}

const widths = ["anchor", "gauntlet", "reference", "ratio", "target"].map((k) =>
  Math.max(k.length, ...rows.map((r) => r[k as keyof (typeof rows)[number]].length)),
);
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
process.stdout.write(`${line(["anchor", "gauntlet", "reference", "ratio", "target"])}\n`);
for (const r of rows) process.stdout.write(`${line([r.anchor, r.gauntlet, r.reference, r.ratio, r.target])}\n`);
