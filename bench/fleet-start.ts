// Cold start of the reference fleet (22 services x 2 replicas) until every service answers
// $SRV.PING with 2 instances, co-hosted (one process) and one process per replica, side by side
// in one run against one 3-node cluster; median of N rounds each (default 3), then the ratio.
// The first per-process round runs with an empty Node compile cache (a fresh machine).
// Run: node bin/gauntlet.mjs exec node bench/fleet-start.ts [rounds]
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalCluster } from "../harness/providers/local/index.ts";
import { connectService, DEFAULT_MANIFEST, loadManifest, provisionJetStream, startFleet } from "../services/index.ts";

const rounds = Number(process.argv[2] ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const manifest = await loadManifest(DEFAULT_MANIFEST);
await using cluster = await new LocalCluster().withNodes(3).start();
const nc = await connectService(cluster.clientUrls, "bench");
await provisionJetStream(nc, manifest);
await nc.close();

async function once(mode: "cohosted" | "process"): Promise<{ readyMs: number; stopMs: number }> {
  const started = performance.now();
  const fleet = await startFleet({ manifest, servers: cluster.clientUrls, mode, log: () => {} });
  await fleet.waitReady(60_000);
  const readyMs = performance.now() - started;
  const stopping = performance.now();
  await fleet.stop();
  return { readyMs, stopMs: performance.now() - stopping };
}

rmSync(join(tmpdir(), "gauntlet-node-compile-cache"), { recursive: true, force: true });
const emptyCache = await once("process");
const results = { cohosted: [] as number[], process: [] as number[], cohostedStop: [] as number[], processStop: [] as number[] };
for (let i = 0; i < rounds; i++) {
  for (const mode of ["cohosted", "process"] as const) {
    const { readyMs, stopMs } = await once(mode);
    results[mode].push(readyMs);
    results[mode === "cohosted" ? "cohostedStop" : "processStop"].push(stopMs);
  }
}
const round = (ms: number) => Math.round(ms);
const cohosted = median(results.cohosted);
const perProcess = median(results.process);
console.log(
  JSON.stringify(
    {
      replicas: manifest.services.reduce((n, s) => n + s.replicas, 0),
      rounds,
      cohostedReadyMs: { median: round(cohosted), all: results.cohosted.map(round), target: 2000 },
      processReadyMs: { median: round(perProcess), all: results.process.map(round), target: 4000 },
      processReadyEmptyCompileCacheMs: round(emptyCache.readyMs),
      processOverCohosted: Math.round((perProcess / cohosted) * 10) / 10,
      stopMs: { cohosted: round(median(results.cohostedStop)), process: round(median(results.processStop)) },
    },
    null,
    2,
  ),
);
