// The docker provider side by side with the local one, pairs alternating in one run (median of N,
// default 3): a 5-node cluster from the builder's start() to formed (every node's /jsz names one meta
// leader, /routez N-1 peers) and its teardown; the full stack (22 services × 2 co-hosted, 2 gateways)
// to ready and its teardown. Images are built before timing (cached by content hash); the first
// build is timed on its own. Run: node bin/gauntlet.mjs exec node bench/docker.ts [runs]
import { Writable } from "node:stream";
import { DockerCluster, DockerEngineLease, leftoverResources } from "../harness/providers/docker/index.ts";
import { LocalCluster } from "../harness/providers/local/index.ts";
import type { StartedStack } from "../harness/providers/stack.ts";
import { DEFAULT_MANIFEST, type ProviderName, startStack } from "../harness/stack/index.ts";
import { TaskList } from "../harness/ui/index.ts";

const runs = Number(process.argv[2] ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const show = (label: string, values: number[]) =>
  console.log(
    `${label.padEnd(44)} median ${median(values).toFixed(0).padStart(6)} ms   (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`,
  );
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() }) as unknown as NodeJS.WriteStream;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const startedAt = performance.now();
  const result = await work();
  return [result, performance.now() - startedAt];
}

await using _engine = await DockerEngineLease.acquire({ onProgress: (line) => console.log(line) });
const [, firstBuild] = await timed(async () => {
  const cluster = await new DockerCluster().withNodes(1).start();
  await cluster.stop();
});
console.log(`images ready and a 1-node docker cluster up and down: ${firstBuild.toFixed(0)} ms (includes any first image build)`);

const figures: Record<string, number[]> = {};
const add = (label: string, ms: number) => {
  figures[label] = [...(figures[label] ?? []), ms];
};

for (let run = 0; run < runs; run += 1) {
  for (const provider of ["local", "docker"] as const) {
    const start = (): Promise<StartedStack> => (provider === "local" ? new LocalCluster() : new DockerCluster()).withNodes(5).start();
    const [cluster, formed] = await timed(start);
    add(`${provider}: 5-node cluster formed`, formed);
    const [, removed] = await timed(() => cluster.stop());
    add(`${provider}: 5-node cluster removed`, removed);
  }
  for (const provider of ["local", "docker"] as ProviderName[]) {
    const progress = new TaskList(quiet, { quietBelowMs: 0 });
    const [stack, ready] = await timed(() =>
      startStack({ provider, nodes: 5, progress, fleet: { manifest: DEFAULT_MANIFEST, mode: "cohosted", gateways: 2 } }),
    );
    progress.finish();
    add(`${provider}: full stack ready`, ready);
    const [, removed] = await timed(() => stack.stop());
    add(`${provider}: full stack removed`, removed);
  }
}

console.log(`${runs} pairs, local and docker alternating`);
for (const [label, values] of Object.entries(figures).sort(([a], [b]) => a.localeCompare(b))) show(label, values);
for (const what of ["5-node cluster formed", "full stack ready", "5-node cluster removed", "full stack removed"]) {
  const ratio = median(figures[`docker: ${what}`] ?? []) / median(figures[`local: ${what}`] ?? []);
  console.log(`docker / local, ${what}: ${ratio.toFixed(1)}×`);
}
const left = await leftoverResources();
console.log(`left on the engine: ${left.containers.length} containers, ${left.networks.length} networks, ${left.volumes.length} volumes`);
