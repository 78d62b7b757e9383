import { DescribeAutoScalingGroupsCommand, TerminateInstanceInAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeInstancesCommand,
  RebootInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { StopTaskCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { DeregisterTargetsCommand, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SendCommandCommand } from "@aws-sdk/client-ssm";
import type { NatsAccess } from "../../../lib/nats-options/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { getMonitoring, JETSTREAM_READY_PATH } from "../../probes/index.ts";
import { BlastRadiusGuard, minorityOf, type StreamPlacement } from "../../safety/index.ts";
import type { LoadBalancerHandle, Network, NodeHandle, NodeReplacing, ReplicaTarget } from "../stack.ts";
import { isLoopbackAddress } from "./aws-clients.ts";
import { AwsError } from "./aws-error.ts";
import type { DiscoveredInstance, DiscoveredService } from "./discovery.ts";
import type { AwsTarget } from "./open-aws-target.ts";
import { isServing } from "./resolve-addresses.ts";
import { type Resource, requireAllowed } from "./safety.ts";
import { type NodeAction, nodeScript } from "./ssm-scripts.ts";

/** One AWS call a fault makes (or, in a dry run, would make), on one resource. */
export interface PlannedCall {
  readonly service: "ec2" | "ssm" | "ecs" | "elbv2" | "autoscaling";
  readonly operation: string;
  readonly resource: Resource;
  readonly detail: string;
}

export interface AwsFaultOptions {
  /** Seconds after which an SSM fault undoes itself on the instance if no heal came (fault window + margin). */
  readonly deadManSeconds?: number;
  /** How often the stop alarms are read while a fault is active. */
  readonly alarmIntervalMs?: number;
  /** Called once when a stop alarm fires: every active fault has been healed by then. */
  readonly onAbort?: (reason: string) => void;
  /** Each stream's replicas by node (instance) name, from the data plane; without it the blast radius assumes the worst. */
  readonly placement?: () => Promise<readonly StreamPlacement[] | undefined>;
}

export function describePlannedCall(call: PlannedCall): string {
  const tags = Object.entries(call.resource.tags)
    .filter(([key]) => !key.startsWith("aws:"))
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
  return `${call.service}.${call.operation} ${call.resource.id} (${call.resource.name}${tags ? `; ${tags}` : ""}): ${call.detail}`;
}

const HEALS: ReadonlySet<NodeAction> = new Set(["start", "resume", "heal-partition"]);

const nodeResource = (instance: DiscoveredInstance): Resource => ({ id: instance.id, name: instance.name, tags: instance.tags });

/**
 * Faults through AWS behind the provider-neutral handles: EC2 and SSM Run Command for nodes,
 * ECS for replicas. Every call passes the safety levers first (allow-list tags, blast radius,
 * a stop alarm that already fired); without `execute` nothing is sent and `plan` lists what
 * would have been.
 */
export class AwsFaults implements AsyncDisposable, NodeReplacing {
  readonly plan: PlannedCall[] = [];
  readonly services: readonly ReplicaTarget[];
  readonly gateways: readonly ReplicaTarget[];
  readonly network: Network;
  readonly loadBalancer: LoadBalancerHandle | undefined;
  readonly aws: AwsTarget;
  readonly #stoppedTasks = new Map<string, number>();
  #guard: BlastRadiusGuard | undefined;
  readonly #heals = new Map<string, () => Promise<void>>();
  readonly #options: AwsFaultOptions;
  #nodes: AwsNode[];
  #abortedBy: string | undefined;
  #alarmTimer: NodeJS.Timeout | undefined;

  constructor(aws: AwsTarget, options: AwsFaultOptions = {}) {
    this.aws = aws;
    this.#options = options;
    const serving = aws.system.instances.filter(isServing);
    this.#nodes = serving.map(
      (instance, index) => new AwsNode(this, instance, aws.target.nats.servers[index] ?? "", aws.target.nats.monitoring[index] ?? ""),
    );
    const gatewayService = aws.system.ecs?.gatewayService;
    const services = aws.system.ecs?.services ?? [];
    this.services = services.filter((s) => s.name !== gatewayService).flatMap((service) => this.#replicas(service));
    this.gateways = services.filter((s) => s.name === gatewayService).flatMap((service) => this.#replicas(service));
    this.network = new AwsNetwork(this);
    this.loadBalancer = aws.system.nlb ? { deregister: (node) => this.#deregisterTarget(node) } : undefined;
  }

  /** ELBv2 DeregisterTargets of the node's instance from every target group that holds it; the returned function registers it again. */
  async #deregisterTarget(name: string): Promise<() => Promise<void>> {
    const node = this.nodes.find((candidate) => candidate.name === name);
    if (!node) throw new AwsError(`aws: no node named ${name}`);
    const groups = (this.aws.system.nlb?.targetGroups ?? []).filter((group) => group.targets.some((t) => t.id === node.instance.id));
    if (groups.length === 0) throw new AwsError(`aws: ${node.instance.id} (${name}) is in no target group of ${this.aws.system.nlb?.name}`);
    const call = (operation: "DeregisterTargets" | "RegisterTargets", group: (typeof groups)[number]) => {
      const Targets = [{ Id: node.instance.id, ...(group.port ? { Port: group.port } : {}) }];
      return this.act(
        { service: "elbv2", operation, resource: nodeResource(node.instance), detail: group.name },
        () =>
          this.aws.clients.elb.send(
            operation === "DeregisterTargets"
              ? new DeregisterTargetsCommand({ TargetGroupArn: group.arn, Targets })
              : new RegisterTargetsCommand({ TargetGroupArn: group.arn, Targets }),
          ),
        { heal: operation === "RegisterTargets" },
      );
    };
    for (const group of groups) await call("DeregisterTargets", group);
    const register = async () => {
      for (const group of groups) await call("RegisterTargets", group);
      this.onHeal(`nlb:${name}`, undefined);
    };
    this.onHeal(`nlb:${name}`, register);
    return register;
  }

  /** The serving nodes; a replaced node's replacement stands where it stood. */
  get nodes(): readonly AwsNode[] {
    return this.#nodes;
  }

  get monitoringUrls(): readonly string[] {
    return this.#nodes.map((node) => node.monitoringUrl);
  }

  /** The NATS system account's user (the target's `nats.system`): the replace-node fault's peer-remove needs it. */
  get systemAccount(): NatsAccess | undefined {
    const { system, servers, tls } = this.aws.target.nats;
    return system ? { servers, tls, ...system } : undefined;
  }

  get execute(): boolean {
    return this.aws.clients.execute;
  }

  get safety() {
    const safety = this.aws.target.aws?.safety;
    if (!safety) throw new AwsError("aws faults need a target with an aws section");
    return safety;
  }

  /** The quorum guard, over the nodes by name (the instances' Name tags). */
  get guard(): BlastRadiusGuard {
    this.#guard ??= new BlastRadiusGuard({
      allowQuorumLoss: this.safety.allow_quorum_loss,
      placement: this.#options.placement ?? (async () => undefined),
      assumedReplicas: this.safety.stream_replicas,
      nodes: this.nodes.map((node) => node.name),
    });
    return this.#guard;
  }

  get deadManSeconds(): number {
    return this.#options.deadManSeconds ?? 120;
  }

  get abortedBy(): string | undefined {
    return this.#abortedBy;
  }

  /** Checks the levers, records the call in the plan, and makes it unless this is a dry run; after an abort only heals pass. */
  async act(call: PlannedCall, send: () => Promise<unknown>, options: { heal?: boolean } = {}): Promise<void> {
    if (this.#abortedBy && !options.heal) throw new AwsError(`aws: aborted (${this.#abortedBy}): no further fault`, { exitCode: 1 });
    requireAllowed(call.resource, this.safety);
    this.plan.push(call);
    if (this.execute) await send();
  }

  /** What undoes a fault on `key`; run by `healAll` (a stop alarm, Ctrl-C, an exception). */
  onHeal(key: string, heal: (() => Promise<void>) | undefined): void {
    if (heal) this.#heals.set(key, heal);
    else this.#heals.delete(key);
  }

  async healAll(): Promise<void> {
    const heals = [...this.#heals.values()];
    this.#heals.clear();
    const results = await Promise.allSettled(heals.map((heal) => heal()));
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed.length > 0)
      throw new AwsError(`aws: healing failed: ${failed.map((f) => String(f.reason)).join("; ")}`, { cause: failed[0]?.reason });
  }

  async sendNodeScript(instance: DiscoveredInstance, action: NodeAction, peers?: readonly string[]): Promise<void> {
    const commands = nodeScript(action, { instance: instance.id, deadManSeconds: this.deadManSeconds, ...(peers ? { peers } : {}) });
    await this.act(
      {
        service: "ssm",
        operation: "SendCommand",
        resource: nodeResource(instance),
        detail: `AWS-RunShellScript: ${commands.slice(1).join("; ")}`,
      },
      () =>
        this.aws.clients.ssm.send(
          new SendCommandCommand({
            DocumentName: "AWS-RunShellScript",
            InstanceIds: [instance.id],
            Parameters: { commands },
            Comment: `gauntlet ${action}`,
            TimeoutSeconds: 60,
          }),
        ),
      { heal: HEALS.has(action) },
    );
  }

  async ec2(
    instance: DiscoveredInstance,
    operation: "StopInstances" | "StartInstances" | "RebootInstances" | "TerminateInstances",
  ): Promise<void> {
    const input = { InstanceIds: [instance.id] };
    const commands = {
      StopInstances: () => new StopInstancesCommand(input),
      StartInstances: () => new StartInstancesCommand(input),
      RebootInstances: () => new RebootInstancesCommand(input),
      TerminateInstances: () => new TerminateInstancesCommand(input),
    };
    await this.act(
      { service: "ec2", operation, resource: nodeResource(instance), detail: instance.privateIp ?? "" },
      () => this.aws.clients.ec2.send(commands[operation]() as StopInstancesCommand),
      { heal: operation === "StartInstances" },
    );
  }

  /** ECS StopTask; the scheduler starts a replacement (the AWS twin does as ECS would). */
  #replicas(service: DiscoveredService): ReplicaTarget[] {
    return service.tasks
      .filter((task) => task.lastStatus === "RUNNING")
      .map((task) => ({
        name: `${service.name}/${task.id}`,
        service: service.name,
        kill: async () => {
          const down = this.#stoppedTasks.get(service.name) ?? 0;
          this.guard.requireReplicaDown(service.name, `task ${task.id}`, service.desired, down + (service.desired - service.running));
          await this.act(
            {
              service: "ecs",
              operation: "StopTask",
              resource: { id: task.id, name: service.name, tags: { ...service.tags, ...task.tags } },
              detail: task.arn,
            },
            () =>
              this.aws.clients.ecs.send(
                new StopTaskCommand({ cluster: this.aws.system.ecs?.cluster, task: task.arn, reason: "gauntlet fault" }),
              ),
          );
          this.#stoppedTasks.set(service.name, down + 1);
        },
      }));
  }

  /** Scales a service to `count` tasks (0 for a whole-service outage); the returned function scales it back. */
  async scaleService(name: string, count: number): Promise<() => Promise<void>> {
    const service = this.aws.system.ecs?.services.find((candidate) => candidate.name === name);
    if (!service) throw new AwsError(`aws: no ECS service "${name}" in cluster ${this.aws.system.ecs?.cluster ?? "(none)"}`);
    const resource = { id: service.arn, name: service.name, tags: service.tags };
    if (count < service.desired)
      this.guard.requireReplicaDown(service.name, `${service.desired - count} tasks`, service.desired, service.desired - count - 1);
    const update = (desiredCount: number) =>
      this.act(
        { service: "ecs", operation: "UpdateService", resource, detail: `desiredCount ${desiredCount}` },
        () =>
          this.aws.clients.ecs.send(
            new UpdateServiceCommand({ cluster: this.aws.system.ecs?.cluster, service: service.name, desiredCount }),
          ),
        { heal: desiredCount >= service.desired },
      );
    await update(count);
    const back = () => update(service.desired);
    this.onHeal(`scale:${name}`, back);
    return back;
  }

  /**
   * A membership change, as production has it: the Auto Scaling group terminates the node's
   * instance and launches a replacement (TerminateInstanceInAutoScalingGroup, capacity kept).
   * Resolves once the replacement is InService and its nats-server answers on its private IP,
   * with its handle, which from then on stands in the old node's place. The old server stays a
   * JetStream meta-group peer until removed (`$JS.API.SERVER.REMOVE`): the caller's step.
   */
  async replaceNode(name: string, timeoutMs = 300_000): Promise<AwsNode> {
    const index = this.#nodes.findIndex((node) => node.name === name);
    const old = this.#nodes[index];
    if (!old) throw new AwsError(`aws: no node ${name} (nodes: ${this.#nodes.map((node) => node.name).join(", ")})`);
    const asg = this.aws.system.asg;
    if (!asg) throw new AwsError(`aws: replacing ${name} needs its Auto Scaling group (aws.nats.asg in the target)`);
    await this.guard.requireNodesDown([old.name]);
    await this.act(
      {
        service: "autoscaling",
        operation: "TerminateInstanceInAutoScalingGroup",
        resource: nodeResource(old.instance),
        detail: `${asg.name} launches a replacement (ShouldDecrementDesiredCapacity false)`,
      },
      () =>
        this.aws.clients.autoScaling.send(
          new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: old.instance.id, ShouldDecrementDesiredCapacity: false }),
        ),
    );
    if (!this.execute) return old;
    const known = new Set([...this.aws.system.instances.map((instance) => instance.id), ...this.#nodes.map((node) => node.instance.id)]);
    const instance = await waitUntil(() => this.#replacementOf(asg.name, known), {
      timeoutMs,
      intervalMs: 1_000,
      what: `a replacement for ${old.instance.id} in service in ${asg.name}`,
    });
    const ports = this.aws.target.aws?.nats;
    const ip = instance.privateIp ?? "";
    const replacement = new AwsNode(
      this,
      instance,
      `nats://${ip}:${ports?.client_port ?? 4222}`,
      `http://${ip}:${ports?.monitoring_port ?? 8222}`,
    );
    await waitUntil(
      () =>
        getMonitoring(replacement.monitoringUrl, JETSTREAM_READY_PATH).then(
          () => true,
          () => undefined,
        ),
      {
        timeoutMs,
        intervalMs: 250,
        what: `nats-server on the replacement ${instance.id} (${replacement.monitoringUrl})`,
      },
    );
    this.#nodes[index] = replacement;
    return replacement;
  }

  async #replacementOf(asg: string, known: ReadonlySet<string>): Promise<DiscoveredInstance | undefined> {
    const groups = await this.aws.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asg] }));
    const fresh = groups.AutoScalingGroups?.[0]?.Instances?.find((i) => !known.has(i.InstanceId ?? "") && i.LifecycleState === "InService");
    if (!fresh?.InstanceId) return undefined;
    const found = await this.aws.clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: [fresh.InstanceId] }));
    const described = found.Reservations?.[0]?.Instances?.[0];
    const ip = described?.PrivateIpAddress;
    if (described?.State?.Name !== "running" || ip === undefined) return undefined;
    if (this.aws.clients.loopbackOnly && !isLoopbackAddress(ip)) throw AwsError.nonLoopback(ip, `replacement instance ${fresh.InstanceId}`);
    const tags = Object.fromEntries((described.Tags ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));
    return {
      id: fresh.InstanceId,
      name: tags.Name ?? fresh.InstanceId,
      az: described.Placement?.AvailabilityZone ?? "?",
      state: "running",
      privateIp: ip,
      tags,
      lifecycle: "InService",
    };
  }

  /** Reads the stop alarms every interval; the first in ALARM heals everything and blocks further faults. */
  watchAlarms(): void {
    const alarms = this.safety.stop_alarms;
    if (alarms.length === 0 || this.#alarmTimer) return;
    const check = async () => {
      const found = await this.aws.clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [...alarms] })).catch(() => undefined);
      const firing = found?.MetricAlarms?.find((alarm) => alarm.StateValue === "ALARM");
      if (!firing || this.#abortedBy) return;
      this.#abortedBy = `stop alarm ${firing.AlarmName} in ALARM${firing.StateReason ? ` (${firing.StateReason})` : ""}`;
      this.stopWatching();
      await this.healAll().catch(() => {});
      this.#options.onAbort?.(this.#abortedBy);
    };
    this.#alarmTimer = setInterval(() => void check(), this.#options.alarmIntervalMs ?? 1_000);
    this.#alarmTimer.unref();
  }

  stopWatching(): void {
    if (this.#alarmTimer) clearInterval(this.#alarmTimer);
    this.#alarmTimer = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.stopWatching();
    await this.healAll();
  }
}

/** An EC2 instance's NATS node: process faults through SSM, machine faults through EC2. */
export class AwsNode implements NodeHandle {
  readonly name: string;
  readonly clientUrl: string;
  readonly monitoringUrl: string;
  readonly zone: string;
  readonly instance: DiscoveredInstance;
  readonly #faults: AwsFaults;
  #stoppedBy: "process" | "ec2" | undefined;
  #paused = false;

  constructor(faults: AwsFaults, instance: DiscoveredInstance, clientUrl: string, monitoringUrl: string) {
    this.#faults = faults;
    this.instance = instance;
    this.name = instance.name;
    this.zone = instance.az;
    this.clientUrl = clientUrl;
    this.monitoringUrl = monitoringUrl;
  }

  get running(): boolean {
    return this.#stoppedBy === undefined;
  }

  #requireQuorum(): Promise<void> {
    return this.#faults.guard.requireNodesDown([this.name]);
  }

  #down(by: "process" | "ec2"): void {
    this.#stoppedBy = by;
    this.#faults.guard.nodeDown(this.name);
    this.#faults.onHeal(this.instance.id, () => this.start());
  }

  async kill(): Promise<void> {
    await this.#requireQuorum();
    await this.#faults.sendNodeScript(this.instance, "kill");
    this.#down("process");
  }

  /** Lame duck through SSM (`nats-server --signal ldm`), or an EC2 StopInstances of the machine. */
  async stop(options: { lameDuck?: boolean } = {}): Promise<void> {
    await this.#requireQuorum();
    if (options.lameDuck) await this.#faults.sendNodeScript(this.instance, "lame-duck");
    else await this.#faults.ec2(this.instance, "StopInstances");
    this.#down(options.lameDuck ? "process" : "ec2");
  }

  async start(): Promise<void> {
    if (this.#stoppedBy === "ec2") await this.#faults.ec2(this.instance, "StartInstances");
    else await this.#faults.sendNodeScript(this.instance, "start");
    this.#stoppedBy = undefined;
    this.#faults.guard.nodeUp(this.name);
    this.#faults.onHeal(this.instance.id, undefined);
  }

  async pause(): Promise<void> {
    await this.#requireQuorum();
    await this.#faults.sendNodeScript(this.instance, "pause");
    this.#paused = true;
    this.#faults.guard.nodeDown(this.name);
    this.#faults.onHeal(this.instance.id, () => this.resume());
  }

  /** SIGCONT through SSM; nothing to send for a node this session did not pause (the nemesis's sweep resumes every node). */
  async resume(): Promise<void> {
    if (!this.#paused) return;
    await this.#faults.sendNodeScript(this.instance, "resume");
    this.#paused = false;
    this.#faults.guard.nodeUp(this.name);
    this.#faults.onHeal(this.instance.id, undefined);
  }

  get paused(): boolean {
    return this.#paused;
  }

  async reboot(): Promise<void> {
    await this.#requireQuorum();
    await this.#faults.ec2(this.instance, "RebootInstances");
  }

  /**
   * EC2 TerminateInstances: the Auto Scaling group replaces the instance, a membership change.
   * Resolves with the replacement's id once the group has one in service, or undefined when none
   * came within `timeoutMs` (the new node then needs checking, and the old peer a JetStream peer-remove).
   */
  async terminate(timeoutMs = 300_000): Promise<string | undefined> {
    await this.#requireQuorum();
    await this.#faults.ec2(this.instance, "TerminateInstances");
    this.#stoppedBy = "ec2";
    const asg = this.#faults.aws.system.asg;
    if (!asg || !this.#faults.execute) return undefined;
    const known = new Set(this.#faults.aws.system.instances.map((instance) => instance.id));
    return waitUntil(
      async () => {
        const groups = await this.#faults.aws.clients.autoScaling.send(
          new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [asg.name] }),
        );
        const fresh = groups.AutoScalingGroups?.[0]?.Instances?.find(
          (i) => !known.has(i.InstanceId ?? "") && i.LifecycleState === "InService",
        );
        return fresh?.InstanceId;
      },
      { timeoutMs, intervalMs: 1_000, what: `a replacement for ${this.instance.id} in ${asg.name}` },
    ).catch(() => undefined);
  }
}

/** Partitions with iptables DROP between instance IPs, set and removed through SSM; each instance's rules expire by themselves. */
export class AwsNetwork implements Network {
  readonly #faults: AwsFaults;
  #cut = new Map<AwsNode, string[]>();

  constructor(faults: AwsFaults) {
    this.#faults = faults;
  }

  async partition(groups: readonly (readonly string[])[]): Promise<void> {
    const nodes = this.#faults.nodes as readonly AwsNode[];
    const grouped = new Set(groups.flat());
    const all = [
      ...groups.map((group) => nodes.filter((node) => group.includes(node.name))),
      nodes.filter((node) => !grouped.has(node.name)),
    ].filter((group) => group.length > 0);
    const minority = minorityOf(
      nodes.map((node) => node.name),
      groups,
    );
    await this.#faults.guard.requireNodesDown(minority);
    for (const group of all) {
      const peers = nodes.filter((node) => !group.includes(node)).map((node) => node.instance.privateIp ?? "");
      for (const node of group) {
        await this.#faults.sendNodeScript(node.instance, "partition", peers);
        this.#cut.set(node, peers);
      }
    }
    for (const name of minority) this.#faults.guard.nodeDown(name);
    this.#faults.onHeal("network", () => this.heal());
  }

  async heal(): Promise<void> {
    for (const [node, peers] of this.#cut) {
      await this.#faults.sendNodeScript(node.instance, "heal-partition", peers);
      this.#faults.guard.nodeUp(node.name);
    }
    this.#cut = new Map();
    this.#faults.onHeal("network", undefined);
  }
}
