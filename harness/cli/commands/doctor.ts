import { connect } from "@nats-io/transport-node";
import { natsConnectionOptions } from "../../../lib/nats-options/index.ts";
import { readTargetFile, type Target } from "../../config/index.ts";
import {
  assessCluster,
  type Check,
  type CheckStatus,
  checkTlsClient,
  clusterExpectationsOf,
  discoverServiceInstances,
  manifestOf,
  type NodeSnapshot,
  type ServiceInstance,
  snapshotCluster,
  syncSetting,
} from "../../probes/index.ts";
import { type Color, paint, renderTable } from "../../ui/index.ts";
import { type Command, ExitCode } from "../command.ts";
import { optionalString } from "../options.ts";
import { resolveTarget } from "../target-option.ts";

/** Every `$SRV` instance the target's NATS answers with; none when it cannot be reached. */
async function serviceInstancesOf(target: Target): Promise<ServiceInstance[]> {
  const nc = await connect({
    ...natsConnectionOptions(target.nats, { name: "gauntlet-doctor", profile: "defaults" }),
    timeout: 2_000,
  }).catch(() => undefined);
  if (!nc) return [];
  try {
    return await discoverServiceInstances(nc);
  } finally {
    await nc.close();
  }
}

const STATUS_COLOR: Record<CheckStatus, Color> = { pass: "green", fail: "red", warn: "yellow", info: "dim" };
const STATUS_MARK: Record<CheckStatus, string> = { pass: "✔ pass", fail: "✖ FAIL", warn: "! warn", info: "· info" };

export const command: Command = {
  name: "doctor",
  summary: "check a NATS system and print a verdict table",
  usage: `Usage: gauntlet doctor [--target FILE] [--json]

Checks every node of the target (default: the running local stack): reachable, cluster
formed (islands named), JetStream with one meta leader, stream replicas current,
max_payload as expected, TLS on or off; each node's JetStream sync_interval and every
stream's replicas and storage (a warning for sync ≠ always, and for a stream the manifest
marks durable on R < 3 or memory; failures with expect.sync: always / expect.min_replicas);
with TLS in the target (nats.tls or expect.tls),
one NATS connection with its CA and client certificate. For a target with an aws section, also: ASG
desired = InService = NATS cluster_size = routed peers (an instance outside the routes is
named), NLB targets = the ASG's instances, healthy, in ≥ 2 AZs; nodes spread over AZs;
every ECS service running = desired, and its running tasks = its $SRV.PING instances (a task
whose replica never registered is named by task id); TLS off and the monitoring port's exposure.
Exit 0 healthy, 1 unhealthy, 2 could not run.`,
  options: { target: { type: "string" }, json: { type: "boolean" } },
  async run(options, _positionals, context) {
    const file = optionalString(options.target);
    const raw = file ? await readTargetFile(file) : undefined;
    using aws = file && raw?.aws ? await import("../../providers/aws/index.ts").then((m) => m.openAwsTarget(file, raw)) : undefined;
    const target: Target = aws?.target ?? (await resolveTarget(file));
    const snapshots = await snapshotCluster(target.nats.monitoring, { streams: true });
    const manifest = await manifestOf(target);
    const clusterAssessment = assessCluster(snapshots, clusterExpectationsOf(target, manifest));
    let awsChecks: Check[] = [];
    if (aws) {
      const { assessAwsSystem, isServing } = await import("../../providers/aws/index.ts");
      const serving = aws.system.instances.filter(isServing);
      const nodes = new Map<string, NodeSnapshot>();
      serving.forEach((instance, index) => {
        const snapshot = snapshots[index];
        if (snapshot) nodes.set(instance.id, snapshot);
      });
      awsChecks = assessAwsSystem({
        system: aws.system,
        nodes,
        monitoringPort: aws.target.aws?.nats.monitoring_port ?? 8222,
        serviceInstances: aws.system.ecs ? await serviceInstancesOf(target) : undefined,
        microServices: manifest?.services.map((service) => service.name),
      });
    }
    // With expect.tls and no files, TLS is asked for with the system's CAs.
    const tlsClient = target.nats.tls || target.expect.tls ? [await checkTlsClient({ ...target.nats, tls: target.nats.tls ?? {} })] : [];
    const checks = [...clusterAssessment.checks, ...tlsClient, ...awsChecks];
    const assessment = { ...clusterAssessment, checks, healthy: clusterAssessment.healthy && checks.every((c) => c.status !== "fail") };
    const out = context.stdout;
    if (options.json) {
      out.write(`${JSON.stringify({ target: target.file, ...assessment, nodes: snapshots }, null, 2)}\n`);
    } else {
      const nodeRows = snapshots.map((s) =>
        s.reachable
          ? [
              s.serverName,
              s.url,
              s.version,
              String(s.routePeers.length),
              s.metaLeader ?? "-",
              s.jetstream ? "on" : "off",
              s.sync ? syncSetting(s.sync) : "-",
            ]
          : ["?", s.url, paint(out, "red", "unreachable"), "-", "-", "-", "-"],
      );
      out.write(`Target: ${target.name}\n\n`);
      out.write(`${renderTable(["node", "monitoring", "version", "route peers", "meta leader", "JetStream", "sync"], nodeRows)}\n\n`);
      const row = (check: Check) => [check.name, paint(out, STATUS_COLOR[check.status], STATUS_MARK[check.status]), check.detail];
      out.write(`${renderTable(["check", "status", "detail"], assessment.checks.map(row))}\n\n`);
      const verdict = assessment.healthy ? paint(out, "green", "HEALTHY") : paint(out, "red", "UNHEALTHY");
      out.write(`Verdict: ${verdict}\n`);
    }
    return assessment.healthy ? ExitCode.ok : ExitCode.failed;
  },
};
