// AWS provider figures, measured side by side in one process:
// 1. discovery of the production shape (5 instances in an ASG, an NLB, 22 services + the gateway
//    on ECS with 2 tasks each) against moto: median/min/max of several discoveries, API calls each;
// 2. a node fault through the AWS twin (SSM SendCommand → moto → reconciler → local node) against
//    the same fault through the local control API: verdicts and JetStream unavailability windows,
//    runs alternating between the two, the same node and seed each pair.
// Whether the killed node leads the experiment's stream differs between the two stacks (an
// election, 4–9 s, or none): compare pairs with the same leadership, or use --fault stop-node
// (lame duck moves leaders first, so the window does not hinge on who led).
// Run: node bin/gauntlet.mjs exec node bench/aws.ts [--runs 3] [--fault-ms 5000] [--fault kill-node|stop-node]
import { PassThrough } from "node:stream";
import { parseArgs } from "node:util";
import { AwsSection, loadTarget } from "../harness/config/index.ts";
import { type ExperimentFault, type ExperimentTarget, experimentTarget, runExperiment } from "../harness/failover/index.ts";
import { AwsClients, buildEmulatedWorld, discoverSystem, MotoServer, startAwsTwin, WORLD_NAMES } from "../harness/providers/aws/index.ts";
import { resolveTargetFile } from "../harness/providers/index.ts";
import { startLocalStack } from "../harness/stack/index.ts";
import { TaskList } from "../harness/ui/index.ts";

const { values } = parseArgs({ options: { runs: { type: "string" }, "fault-ms": { type: "string" }, fault: { type: "string" } } });
const faultKind = values.fault ?? "kill-node";
if (faultKind !== "kill-node" && faultKind !== "stop-node") throw new Error(`--fault: kill-node or stop-node, got "${faultKind}"`);
const runs = Number(values.runs ?? 3);
const faultMs = Number(values["fault-ms"] ?? 5_000);
const stats = (list: readonly number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, min: sorted[0] ?? Number.NaN, max: sorted.at(-1) ?? Number.NaN };
};

async function discoveryFigures(): Promise<void> {
  await using moto = await MotoServer.start();
  await moto.manualTaskTransitions();
  const admin = new AwsClients({ region: "eu-west-1", endpoint: moto.endpoint, execute: true });
  const services = Array.from({ length: 22 }, (_, index) => `service-${index + 1}-nats`);
  await buildEmulatedWorld(admin, { region: "eu-west-1", services, gatewayService: "gateway" });
  admin.destroy();
  const section = AwsSection.parse({
    region: "eu-west-1",
    endpoint: moto.endpoint,
    nats: { asg: WORLD_NAMES.asg },
    nlb: WORLD_NAMES.nlb,
    ecs: { cluster: WORLD_NAMES.cluster, gateway_service: "gateway" },
  });
  const times: number[] = [];
  let calls = 0;
  for (let round = 0; round < 5; round++) {
    const clients = new AwsClients({ region: "eu-west-1", endpoint: moto.endpoint });
    const started = performance.now();
    const system = await discoverSystem(clients, section, "bench");
    times.push(performance.now() - started);
    calls = clients.journal.entries.length;
    if (system.instances.length !== 5 || system.ecs?.services.length !== 23) throw new Error("discovery found the wrong world");
    clients.destroy();
  }
  const t = stats(times);
  console.log(
    `discovery, 5 instances + 23 ECS services (46 tasks), moto: median ${t.median.toFixed(0)} ms (min ${t.min.toFixed(0)}, max ${t.max.toFixed(0)}), ${calls} API calls`,
  );
}

async function faultFigures(): Promise<void> {
  const progress = new TaskList(new PassThrough() as unknown as NodeJS.WriteStream, { quietBelowMs: 0 });
  await using twin = await startAwsTwin({ services: [] });
  const stack = await startLocalStack({ nodes: 5, fleet: false, progress, network: "none" });
  progress.finish();
  try {
    process.env.GAUNTLET_AWS_EXECUTE = "1";
    const targets: Record<"twin" | "local", ExperimentTarget> = {
      twin: await experimentTarget(await resolveTargetFile(twin.targetFile)),
      local: await experimentTarget(await loadTarget(stack.targetFile)),
    };
    const samples: Record<"twin" | "local", { ms: number; verdict: string }[]> = { twin: [], local: [] };
    for (let run = 1; run <= runs; run++) {
      const node = `nats-${1 + (run % 5)}`;
      const fault: ExperimentFault = faultKind === "kill-node" ? { kind: "kill-node", node } : { kind: "stop-node", node, lameDuck: true };
      const order: ("twin" | "local")[] = run % 2 === 1 ? ["twin", "local"] : ["local", "twin"];
      for (const via of order) {
        const result = await runExperiment(
          targets[via],
          { name: `${via}-kill-${run}`, fault, kvClients: 0, timing: { quietMs: 2_000, faultMs, recoveryMs: 3_000 } },
          { seed: run },
        );
        const ms = result.verdict.maxUnavailableMs ?? Number.NaN;
        samples[via].push({ ms, verdict: result.verdict.verdict });
        process.stderr.write(
          `run ${run} ${via}: ${fault.kind} ${node}: JetStream unavailable ${ms.toFixed(0)} ms — ${result.verdict.verdict}${result.verdict.verdict === "pass" ? "" : ` (${result.verdict.reason})`}\n`,
        );
      }
    }
    for (const via of ["twin", "local"] as const) {
      const t = stats(samples[via].map((s) => s.ms));
      console.log(
        `${faultKind} via ${via}: JetStream unavailable median ${t.median.toFixed(0)} ms (min ${t.min.toFixed(0)}, max ${t.max.toFixed(0)}); verdicts ${samples[via].map((s) => s.verdict).join(",")}`,
      );
    }
    const gaps = samples.twin.map((s, index) => Math.abs(s.ms - (samples.local[index]?.ms ?? Number.NaN)));
    console.log(`|twin − local| per pair: ${gaps.map((gap) => gap.toFixed(0)).join(", ")} ms`);
  } finally {
    await stack.stop();
  }
}

await discoveryFigures();
await faultFigures();
