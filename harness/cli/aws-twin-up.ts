import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { GauntletError } from "../../lib/errors/index.ts";
import { paint, TaskList } from "../ui/index.ts";
import { type CommandContext, ExitCode, type ParsedOptions } from "./command.ts";
import { optionalString } from "./options.ts";
import { nodesOption } from "./stack-options.ts";

/** The twin's routes run direct unless asked for proxies (partitions need them). */
function twinNetwork(options: ParsedOptions): "proxy" | "none" {
  const network = optionalString(options.network) ?? "none";
  if (network !== "proxy" && network !== "none")
    throw new GauntletError(`--network with --aws-twin must be proxy or none, got "${network}"`);
  return network;
}

/** The twin co-hosts its task replicas unless asked for a process each. */
function twinFleetMode(options: ParsedOptions): "process" | "cohosted" {
  const mode = optionalString(options["fleet-mode"]) ?? "cohosted";
  if (mode !== "process" && mode !== "cohosted") throw new GauntletError(`--fleet-mode must be process or cohosted, got "${mode}"`);
  return mode;
}

/** `gauntlet up --aws-twin`: moto as the control plane, local nodes as the data plane, until Ctrl-C. */
export async function runAwsTwin(options: ParsedOptions, context: CommandContext): Promise<number> {
  const { startAwsTwin } = await import("../providers/aws/index.ts");
  const manifest = optionalString(options.manifest);
  const progress = new TaskList(context.stderr, { quietBelowMs: 0 });
  const startedAt = performance.now();
  const twin = await progress
    .run("AWS twin", () =>
      startAwsTwin({
        nodes: nodesOption(options),
        onProgress: (message) => progress.detail(message),
        ...(manifest ? { manifest: resolve(manifest) } : {}),
        fleetMode: twinFleetMode(options),
        network: twinNetwork(options),
        ...(options["cluster-only"] ? { services: [] } : {}),
        onEvent: (event) => context.stderr.write(`twin: ${event.node} (${event.instance}): ${event.what}\n`),
        onTaskEvent: (event) => context.stderr.write(`twin: ecs ${event.service} ${event.task}: ${event.what}\n`),
        onLoadBalancerEvent: (event) => context.stderr.write(`twin: nlb ${event.instance}: ${event.what}\n`),
      }),
    )
    .finally(() => progress.finish());
  try {
    const ready = {
      id: twin.id,
      pid: process.pid,
      target: twin.targetFile,
      dir: twin.dir,
      endpoint: twin.moto.endpoint,
      nats: twin.cluster.clientUrls,
      nlb: twin.loadBalancer.url,
      monitoring: twin.cluster.monitoringUrls,
      readyMs: Math.round(performance.now() - startedAt),
    };
    const out = context.stdout;
    if (options.json) out.write(`${JSON.stringify(ready)}\n`);
    else {
      out.write(`\n${paint(out, "green", "✔")} AWS twin is up (${ready.readyMs} ms): moto at ${ready.endpoint}\n`);
      out.write(`  NATS clients  ${ready.nats.join(" ")}\n`);
      out.write(`  NLB listener  ${ready.nlb} (the ECS tasks' replicas connect through it)\n`);
      out.write(`  target file   ${ready.target}\n`);
      out.write(`  stack id      ${ready.id}\n`);
      out.write(
        `\n  Try: npx gauntlet discover --target ${ready.target}\n       npx gauntlet chaos kill-node --target ${ready.target} --execute --yes\n  Stop with Ctrl-C or: npx gauntlet down\n`,
      );
    }
    await sleep(2 ** 31 - 1, undefined, { signal: context.signal }).catch(() => {});
  } finally {
    await twin.stop();
  }
  return ExitCode.ok;
}
