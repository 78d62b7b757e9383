// The docker provider side by side with the local one, pairs alternating in one run (median of N,
// default 3): a 5-node cluster from the builder's start() to formed (every node's /jsz names one meta
// leader, /routez N-1 peers) and its teardown; the full stack (22 services × 2 co-hosted, 2 gateways)
// to ready and its teardown. Images are built before timing (cached by content hash); the first
// build is timed on its own. Each docker formation is also split into phases, from the engine's
// container timestamps and the nodes' logs (read before the teardown): what the harness does before
// the first container exists, the engine's create and starts, the servers' boot, the meta-leader
// election and our readiness polling. Run: node bin/gauntlet.mjs exec node bench/docker.ts [runs]
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { dockerClient } from "../harness/providers/docker/docker-client.ts";
import { DockerCluster, DockerEngineLease, leftoverResources, StartedDockerCluster } from "../harness/providers/docker/index.ts";
import { LocalCluster } from "../harness/providers/local/index.ts";
import type { StartedStack } from "../harness/providers/stack.ts";
import { DEFAULT_MANIFEST, type ProviderName, startStack } from "../harness/stack/index.ts";
import { TaskList } from "../harness/ui/index.ts";

const runs = Number(process.argv[2] ?? 3);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const show = (label: string, values: number[]) =>
  console.log(
    `${label.padEnd(64)} median ${median(values).toFixed(0).padStart(6)} ms   (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`,
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

/** A nats-server log line's time ("[1] 2026/11/28 23:44:59.192900 [INF] …", UTC) as epoch ms. */
function logTime(line: string | undefined): number {
  const stamp = /(\d{4})\/(\d\d)\/(\d\d) (\d\d:\d\d:\d\d\.\d+)/.exec(line ?? "");
  if (!stamp) throw new Error(`no timestamp in log line ${JSON.stringify(line)}`);
  return Date.parse(`${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]?.slice(0, 12)}Z`);
}

/** Where a docker formation's time went, phase by phase (ms), from its containers and logs. */
async function formationPhases(cluster: StartedDockerCluster, calledAt: number, formedAt: number): Promise<Record<string, number>> {
  const client = await dockerClient();
  const nodes = await Promise.all(
    cluster.nodes.map(async (node) => {
      const { Created, State } = await client.container.inspect(client.container.getById(node.containerId as string));
      const log = readFileSync(node.logFile, "utf8").split("\n");
      return {
        created: Date.parse(Created),
        started: Date.parse(State.StartedAt),
        ready: logTime(log.find((line) => line.includes("Server is ready"))),
        leader: log.filter((line) => /metadata leader/.test(line)).map(logTime)[0] ?? Number.NaN,
      };
    }),
  );
  const first = (key: keyof (typeof nodes)[number]) => Math.min(...nodes.map((node) => node[key]));
  const last = (key: keyof (typeof nodes)[number]) => Math.max(...nodes.map((node) => node[key]));
  return {
    "before the first container (engine, image, network, ports)": first("created") - calledAt,
    "engine: created → first container started": first("started") - first("created"),
    "engine: first → last container started": last("started") - first("started"),
    "servers: last container started → every server ready": last("ready") - last("started"),
    "meta leader elected after every server ready": first("leader") - last("ready"),
    "our readiness polling after the election": formedAt - first("leader"),
    "formed from the first container start": formedAt - first("started"),
  };
}

const phases: Record<string, number[]> = {};
for (let run = 0; run < runs; run += 1) {
  for (const provider of ["local", "docker"] as const) {
    const calledAt = Date.now();
    const [cluster, formed] = await timed<StartedStack>(() =>
      provider === "local" ? new LocalCluster().withNodes(5).start() : new DockerCluster().withNodes(5).start(),
    );
    add(`${provider}: 5-node cluster formed`, formed);
    if (cluster instanceof StartedDockerCluster)
      for (const [phase, ms] of Object.entries(await formationPhases(cluster, calledAt, calledAt + formed)))
        phases[phase] = [...(phases[phase] ?? []), ms];
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

console.log(`docker 5-node formation, phase by phase (${runs} runs):`);
for (const [phase, values] of Object.entries(phases)) show(`  ${phase}`, values);
console.log(`${runs} pairs, local and docker alternating`);
for (const [label, values] of Object.entries(figures).sort(([a], [b]) => a.localeCompare(b))) show(label, values);
for (const what of ["5-node cluster formed", "full stack ready", "5-node cluster removed", "full stack removed"]) {
  const ratio = median(figures[`docker: ${what}`] ?? []) / median(figures[`local: ${what}`] ?? []);
  console.log(`docker / local, ${what}: ${ratio.toFixed(1)}×`);
}
const left = await leftoverResources();
console.log(`left on the engine: ${left.containers.length} containers, ${left.networks.length} networks, ${left.volumes.length} volumes`);
