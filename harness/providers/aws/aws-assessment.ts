import {
  type Check,
  findIslands,
  type NodeSnapshot,
  nodeLabels,
  type ReachableSnapshot,
  type ServiceInstance,
} from "../../probes/index.ts";
import type { DiscoveredInstance, DiscoveredSystem } from "./discovery.ts";
import { isServing } from "./resolve-addresses.ts";
import { TASK_METADATA } from "./twin-tasks.ts";

export interface AwsAssessmentInput {
  readonly system: DiscoveredSystem;
  /** Each serving instance's node as its monitoring port sees it (absent: the data plane was not probed). */
  readonly nodes: ReadonlyMap<string, NodeSnapshot>;
  readonly monitoringPort: number;
  /** Every instance that answered `$SRV.PING` (absent: NATS was not asked). */
  readonly serviceInstances?: readonly ServiceInstance[] | undefined;
  /** The micro services to compare with ECS (the manifest's); absent: every ECS service but the gateway. */
  readonly microServices?: readonly string[] | undefined;
}

const label = (instance: DiscoveredInstance) => `${instance.id} (${instance.name}, ${instance.az}, ${instance.privateIp ?? "no IP"})`;

function capacity(system: DiscoveredSystem): Check | undefined {
  if (!system.asg) return undefined;
  const inService = system.instances.filter((instance) => instance.lifecycle === "InService");
  const others = system.instances.filter((instance) => instance.lifecycle !== "InService");
  const detail = `desired ${system.asg.desired}, InService ${inService.length}${others.length ? `; not in service: ${others.map((i) => `${i.id} ${i.lifecycle ?? i.state}`).join(", ")}` : ""}`;
  return { name: "ASG capacity", status: inService.length === system.asg.desired ? "pass" : "fail", detail };
}

/** Every serving instance's node is in the one routed cluster of `cluster_size` = desired; others are named by instance id. */
function membership(input: AwsAssessmentInput): Check | undefined {
  if (input.nodes.size === 0) return undefined;
  const serving = input.system.instances.filter(isServing);
  const byServerId = new Map<string, DiscoveredInstance>();
  const reachable: ReachableSnapshot[] = [];
  const problems: string[] = [];
  for (const instance of serving) {
    const snapshot = input.nodes.get(instance.id);
    if (!snapshot?.reachable) {
      problems.push(`${label(instance)}: NATS unreachable${snapshot ? ` (${snapshot.error})` : ""}`);
      continue;
    }
    reachable.push(snapshot);
    byServerId.set(snapshot.serverId, instance);
  }
  const labels = nodeLabels(reachable);
  const [cluster = []] = findIslands(reachable);
  const inCluster = new Set(cluster);
  const routed = (snapshot: ReachableSnapshot) => inCluster.has(labels.get(snapshot.serverId) ?? snapshot.serverName);
  for (const snapshot of reachable) {
    const instance = byServerId.get(snapshot.serverId) as DiscoveredInstance;
    if (!routed(snapshot)) problems.push(`${label(instance)}: island — node ${snapshot.serverName} is not routed to the cluster`);
  }
  const wanted = input.system.asg?.desired ?? serving.length;
  const sizes = new Set(reachable.filter(routed).map((s) => s.metaClusterSize));
  const size = [...sizes][0];
  if (size !== undefined && size !== wanted) problems.push(`JetStream cluster_size ${size}, the ASG wants ${wanted}`);
  if (cluster.length !== wanted) problems.push(`${cluster.length} node(s) routed together, the ASG wants ${wanted}`);
  return problems.length === 0
    ? { name: "ASG = NATS cluster", status: "pass", detail: `${wanted} instances, ${wanted} routed peers, cluster_size ${size ?? "?"}` }
    : { name: "ASG = NATS cluster", status: "fail", detail: problems.join("; ") };
}

function loadBalancer(system: DiscoveredSystem): Check | undefined {
  if (!system.nlb) return undefined;
  const serving = new Map(system.instances.filter(isServing).map((instance) => [instance.id, instance]));
  const problems: string[] = [];
  const targeted = new Set<string>();
  for (const group of system.nlb.targetGroups) {
    for (const target of group.targets) {
      targeted.add(target.id);
      if (!serving.has(target.id)) problems.push(`${group.name}: target ${target.id} is not a serving ASG instance`);
      if (target.health !== "healthy")
        problems.push(`${group.name}: target ${target.id} ${target.health}${target.reason ? ` (${target.reason})` : ""}`);
    }
    for (const instance of serving.values())
      if (!group.targets.some((target) => target.id === instance.id)) problems.push(`${group.name}: ${label(instance)} is not registered`);
  }
  if (system.nlb.targetGroups.length === 0) problems.push(`${system.nlb.name} has no target group`);
  const zones = new Set([...targeted].map((id) => serving.get(id)?.az).filter((az) => az !== undefined));
  if (zones.size < 2) problems.push(`targets in ${zones.size} AZ (want ≥ 2)`);
  return problems.length === 0
    ? {
        name: "NLB targets",
        status: "pass",
        detail: `${system.nlb.name}: ${targeted.size} healthy targets = the ASG's instances, ${zones.size} AZs`,
      }
    : { name: "NLB targets", status: "fail", detail: problems.join("; ") };
}

function zoneSpread(system: DiscoveredSystem): Check {
  const serving = system.instances.filter(isServing);
  const perZone = new Map<string, number>();
  for (const instance of serving) perZone.set(instance.az, (perZone.get(instance.az) ?? 0) + 1);
  const detail = [...perZone.entries()]
    .sort()
    .map(([az, count]) => `${az}: ${count}`)
    .join(", ");
  if (perZone.size < 2)
    return { name: "AZ spread", status: "fail", detail: `${detail || "no nodes"}: one AZ down takes the whole cluster` };
  const [zone, most] = [...perZone.entries()].sort((a, b) => b[1] - a[1])[0] as [string, number];
  if (most > serving.length / 2) return { name: "AZ spread", status: "warn", detail: `${detail}: losing ${zone} loses the majority` };
  return { name: "AZ spread", status: "pass", detail };
}

function services(system: DiscoveredSystem): Check | undefined {
  if (!system.ecs) return undefined;
  const short = system.ecs.services.filter((service) => service.running !== service.desired);
  return short.length === 0
    ? { name: "ECS services", status: "pass", detail: `${system.ecs.services.length} services, every one running = desired` }
    : { name: "ECS services", status: "fail", detail: short.map((s) => `${s.name}: ${s.running} of ${s.desired} running`).join("; ") };
}

/** Each ECS service's running tasks = its `$SRV` instances; a task whose instance never registered is named by task id. */
function registrations(input: AwsAssessmentInput): Check | undefined {
  const ecs = input.system.ecs;
  if (!ecs || !input.serviceInstances) return undefined;
  const instances = input.serviceInstances;
  // Without a manifest, an ECS service no `$SRV` instance names may not be a NATS micro service at all.
  const wanted = new Set(input.microServices ?? instances.map((instance) => instance.name));
  const candidates = ecs.services.filter((service) => service.name !== ecs.gatewayService);
  const services = candidates.filter((service) => wanted.has(service.name));
  const skipped = candidates.length - services.length;
  const unchecked =
    skipped > 0
      ? `; ${skipped} ECS service(s) not compared (no $SRV name${input.microServices ? " in the manifest" : "; a manifest names them"})`
      : "";
  const problems: string[] = [];
  let tasks = 0;
  for (const service of services) {
    const running = service.tasks.filter((task) => task.lastStatus === "RUNNING");
    tasks += running.length;
    const own = instances.filter((instance) => instance.name === service.name);
    const registered = new Set(own.map((instance) => instance.metadata[TASK_METADATA]).filter((id) => id !== undefined));
    const silent = running.filter((task) => !registered.has(task.id));
    const strangers = own.filter((instance) => {
      const task = instance.metadata[TASK_METADATA];
      return task !== undefined && !running.some((candidate) => candidate.id === task);
    });
    const counted = registered.size > 0 ? running.length - silent.length : instances.length;
    if (counted === running.length && own.length === running.length) continue;
    const named =
      registered.size > 0 && silent.length > 0 ? `; never registered: task ${silent.map((task) => task.id).join(", task ")}` : "";
    const extra =
      strangers.length > 0 ? `; instances of tasks not running: ${strangers.map((i) => i.metadata[TASK_METADATA]).join(", ")}` : "";
    problems.push(`${service.name}: ${own.length} $SRV instance(s) for ${running.length} running task(s)${named}${extra}`);
  }
  if (services.length === 0) return { name: "ECS tasks = $SRV", status: "info", detail: `no ECS service answers $SRV.PING${unchecked}` };
  return problems.length === 0
    ? {
        name: "ECS tasks = $SRV",
        status: "pass",
        detail: `${services.length} services, ${tasks} running tasks, each answers $SRV.PING${unchecked}`,
      }
    : { name: "ECS tasks = $SRV", status: "fail", detail: `${problems.join("; ")}${unchecked}` };
}

/** The seed's known limitations: TLS off, a monitoring port anyone in the VPC can read. */
function exposure(input: AwsAssessmentInput): Check[] {
  const reachable = [...input.nodes.values()].filter((s): s is ReachableSnapshot => s.reachable);
  if (reachable.length === 0) return [];
  const plain = reachable.filter((s) => !s.tlsRequired).length;
  return [
    plain > 0
      ? { name: "TLS (AWS)", status: "info", detail: `${plain} of ${reachable.length} nodes accept clients without TLS` }
      : { name: "TLS (AWS)", status: "pass", detail: "every node requires TLS" },
    {
      name: "monitoring exposure",
      status: "warn",
      detail: `port ${input.monitoringPort} answers on the nodes' private IPs: anyone in the VPC reads /varz, /connz, /jsz`,
    },
  ];
}

/** Doctor's AWS side: the ASG, the NLB, the AZs and ECS agree with each other and with the NATS cluster. */
export function assessAwsSystem(input: AwsAssessmentInput): Check[] {
  return [
    capacity(input.system),
    membership(input),
    loadBalancer(input.system),
    zoneSpread(input.system),
    services(input.system),
    registrations(input),
    ...exposure(input),
  ].filter((check): check is Check => check !== undefined);
}
