import { setTimeout as sleep } from "node:timers/promises";
import { GauntletError } from "../../../lib/errors/index.ts";
import { startStack } from "../../stack/index.ts";
import { paint, TaskList } from "../../ui/index.ts";
import { runAwsTwin } from "../aws-twin-up.ts";
import { type Command, ExitCode } from "../command.ts";
import {
  fleetChoice,
  natsServerOption,
  networkChoice,
  nodesOption,
  providerOptions,
  stackOptionSpec,
  stackOptionUsage,
} from "../stack-options.ts";

export const command: Command = {
  name: "up",
  summary: "start the whole system locally and keep it up until `gauntlet down` or Ctrl-C",
  usage: `Usage: gauntlet up [options] [--json]

Starts the whole system: an N-node nats-server JetStream cluster (each node in a network
namespace of its own where that works — root, iptables — else on loopback behind route
proxies; --network chooses), its streams and KV buckets, every service of the manifest
(2 replicas each) and 2 gateways; waits until the cluster has formed, every service answers $SRV.PING with all
its instances and every gateway is ready; prints the URLs and the target file that
describes the stack; stays up until 'gauntlet down' or Ctrl-C.

${stackOptionUsage}
  --json               print one JSON line with the endpoints when ready (for scripts)
  --aws-twin           the AWS twin instead: moto (pinned, in a virtualenv) as the control plane
                       with the production shape (ASG, NLB, ECS, alarms), nats-server nodes on
                       the instances' loopback IPs as the data plane, and each ECS task of the
                       manifest's services (2 per service) a local replica with its task id in
                       its $SRV metadata (co-hosted unless --fleet-mode process; none with
                       --cluster-only); --network proxy routes the nodes through proxies so
                       partitions (SSM iptables scripts) can be emulated; prints its aws target file`,
  options: { ...stackOptionSpec, json: { type: "boolean" }, "aws-twin": { type: "boolean" } },
  async run(options, _positionals, context) {
    if (options["aws-twin"]) {
      if (options["nats-version"] !== undefined)
        throw new GauntletError("--nats-version is for the local stack: the AWS twin runs the pinned nats-server");
      return runAwsTwin(options, context);
    }
    const nodes = nodesOption(options);
    const fleet = fleetChoice(options);
    const progress = new TaskList(context.stderr, { quietBelowMs: 0 });
    const nats = await natsServerOption(options, "up", progress, context.signal);
    const startedAt = performance.now();
    const stack = await startStack({
      ...providerOptions(options),
      ...(nats ? { natsServer: nats.binary, natsVersion: nats.version } : {}),
      nodes,
      fleet,
      network: networkChoice(options, "auto"),
      tls: Boolean(options.tls),
      syncAlways: Boolean(options["sync-always"]),
      diskFaults: Boolean(options["disk-faults"]),
      progress,
      signal: context.signal,
    }).finally(() => progress.finish());
    try {
      const ready = {
        id: stack.id,
        pid: process.pid,
        target: stack.targetFile,
        dir: stack.dir,
        nats: stack.cluster.clientUrls,
        monitoring: stack.cluster.monitoringUrls,
        gateways: stack.gateways.map((gateway) => gateway.url),
        network: stack.cluster.networkKind ?? "none",
        readyMs: Math.round(performance.now() - startedAt),
      };
      if (options.json) context.stdout.write(`${JSON.stringify(ready)}\n`);
      else {
        const out = context.stdout;
        out.write(`\n${paint(out, "green", "✔")} stack ${paint(out, "bold", stack.id)} is up (${ready.readyMs} ms)\n`);
        out.write(`  NATS clients  ${ready.nats.join(" ")}\n`);
        out.write(`  monitoring    ${ready.monitoring.join(" ")}\n`);
        out.write(`  network       ${ready.network}\n`);
        if (nats) out.write(`  nats-server   ${nats.version}\n`);
        if (ready.gateways.length > 0) out.write(`  gateways      ${ready.gateways.join(" ")}\n`);
        out.write(`  run dir       ${ready.dir}\n`);
        out.write(`  target file   ${ready.target}\n`);
        out.write(`\n  Try: npx gauntlet doctor --target ${ready.target}\n  Stop with Ctrl-C or: npx gauntlet down\n`);
      }
      await sleep(2 ** 31 - 1, undefined, { signal: context.signal }).catch(() => {});
    } finally {
      await stack.stop();
    }
    return ExitCode.ok;
  },
};
