import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { ListCommandsCommand } from "@aws-sdk/client-ssm";
import type { NodeHandle } from "../stack.ts";
import type { AwsClients } from "./aws-clients.ts";
import { AwsError } from "./aws-error.ts";
import { actionOf, instanceOf, type NodeAction, peersOf } from "./ssm-scripts.ts";
import type { TwinTasks } from "./twin-tasks.ts";

/** One thing the reconciler did (or could not do) to a node, as it happens. */
export interface TwinEvent {
  readonly instance: string;
  readonly node: string;
  readonly what: string;
}

const DEAD_MAN = /--on-active=(\d+)s/;

/** The twin's route links, cut one by one (the local proxy network). */
export interface TwinLinks {
  cutLinks(isCut: (from: string, to: string) => boolean): void;
}

/** The twin's nodes as an Auto Scaling group's machines: one is replaced by a new server on a new address. */
export interface TwinMembership {
  /** The Auto Scaling group whose new instances become nodes. */
  readonly asg: string;
  /** Starts a new server (new name, empty store) on `host` in place of node `name`, which is stopped by then. */
  replaceNode(name: string, host: string): Promise<NodeHandle>;
}

/**
 * The AWS twin's data plane follows its control plane: moto records the API calls, this applies
 * them to local nodes. SSM commands run as the node action their first line names (with their
 * dead-man undo as a timer); an instance EC2 stopped or terminated has its node stopped, one
 * running again has it started. Actions on one node happen in order. ECS tasks follow their
 * own loop (`TwinTasks`), so a slow ECS pass never delays a node fault.
 */
export class TwinReconciler {
  readonly #clients: AwsClients;
  readonly #onEvent: (event: TwinEvent) => void;
  readonly #nodes: Map<string, NodeHandle>;
  readonly #seen = new Set<string>();
  readonly #queues = new Map<string, Promise<void>>();
  readonly #deadMen = new Map<string, NodeJS.Timeout>();
  readonly #stoppedByEc2 = new Set<string>();
  readonly #intervalMs: number;
  readonly #tasks: TwinTasks | undefined;
  readonly #network: TwinLinks | undefined;
  readonly #membership: TwinMembership | undefined;
  /** Terminated instances whose node awaits the Auto Scaling group's replacement. */
  readonly #vacated: string[] = [];
  readonly #replaced = new Set<string>();
  /** Node name → the nodes its (emulated) iptables rules drop. */
  readonly #drops = new Map<string, Set<string>>();
  #timer: NodeJS.Timeout | undefined;
  #tasksTimer: NodeJS.Timeout | undefined;
  #ticking = false;
  #tasksTick: Promise<void> | undefined;

  constructor(
    clients: AwsClients,
    nodesByInstance: ReadonlyMap<string, NodeHandle>,
    options: {
      intervalMs?: number;
      onEvent?: (event: TwinEvent) => void;
      tasks?: TwinTasks;
      network?: TwinLinks;
      membership?: TwinMembership;
    } = {},
  ) {
    this.#clients = clients;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#nodes = new Map(nodesByInstance);
    this.#intervalMs = options.intervalMs ?? 100;
    this.#tasks = options.tasks;
    this.#network = options.network;
    this.#membership = options.membership;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#tick(), this.#intervalMs);
    if (this.#tasks) this.#tasksTimer = setInterval(() => this.#tickTasks(), this.#intervalMs);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#tasksTimer) clearInterval(this.#tasksTimer);
    for (const timer of this.#deadMen.values()) clearTimeout(timer);
    await Promise.allSettled([...this.#queues.values(), this.#tasksTick]);
    await this.#tasks?.stop();
  }

  #tickTasks(): void {
    this.#tasksTick ??= (this.#tasks?.reconcile() ?? Promise.resolve())
      // moto briefly busy: the next tick reads the same state again
      .catch(() => {})
      .finally(() => {
        this.#tasksTick = undefined;
      });
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      await this.#applyCommands();
      await this.#applyInstanceStates();
      await this.#applyReplacements();
    } catch {
      // moto briefly busy: the next tick reads the same state again
    } finally {
      this.#ticking = false;
    }
  }

  async #applyCommands(): Promise<void> {
    const listed = await this.#clients.ssm.send(new ListCommandsCommand({}));
    for (const command of listed.Commands ?? []) {
      const id = command.CommandId ?? "";
      if (this.#seen.has(id)) continue;
      this.#seen.add(id);
      const lines = command.Parameters?.commands ?? [];
      const action = actionOf(lines);
      const instance = instanceOf(lines);
      if (!action || !instance) continue;
      const seconds = Number(lines.join("\n").match(DEAD_MAN)?.[1] ?? 0);
      const peers = peersOf(lines);
      this.#run(instance, peers.length > 0 ? `${action} ${peers.join(",")}` : action, () => this.#apply(instance, action, seconds, peers));
    }
  }

  async #apply(instance: string, action: NodeAction, deadManSeconds: number, peers: readonly string[] = []): Promise<void> {
    const node = this.#nodes.get(instance);
    if (!node) return;
    const cancelDeadMan = () => {
      clearTimeout(this.#deadMen.get(instance));
      this.#deadMen.delete(instance);
    };
    const armDeadMan = (undo: NodeAction) => {
      cancelDeadMan();
      if (deadManSeconds > 0)
        this.#deadMen.set(
          instance,
          setTimeout(() => this.#run(instance, `dead-man ${undo}`, () => this.#apply(instance, undo, 0, peers)), deadManSeconds * 1_000),
        );
    };
    switch (action) {
      case "kill":
        await node.kill();
        armDeadMan("start");
        break;
      case "lame-duck":
        await node.stop({ lameDuck: true });
        armDeadMan("start");
        break;
      case "pause":
        await node.pause();
        armDeadMan("resume");
        break;
      case "start":
        cancelDeadMan();
        if (!node.running) await node.start();
        break;
      case "resume":
        cancelDeadMan();
        await node.resume();
        break;
      case "partition":
        this.#drop(node, peers, true);
        armDeadMan("heal-partition");
        break;
      case "heal-partition":
        cancelDeadMan();
        this.#drop(node, peers, false);
        break;
    }
  }

  /**
   * The instance's iptables DROP rules for its peers' IPs, as route links: a link between two
   * nodes is cut while either side drops the other (the twin's nodes share one loopback
   * interface, so their routes run through proxies that cut instead of the kernel).
   */
  #drop(node: NodeHandle, peers: readonly string[], add: boolean): void {
    if (!this.#network)
      throw new AwsError("the twin's routes run without proxies: partitions cannot be emulated (start it with --network proxy)");
    const drops = this.#drops.get(node.name) ?? new Set<string>();
    const names = peers.map((ip) => this.#nameAt(ip));
    const unknown = peers.filter((_, index) => names[index] === undefined);
    if (unknown.length > 0)
      throw new AwsError(`${node.name}: no twin node listens on ${unknown.join(", ")}: the DROP rules would cut nothing`);
    for (const name of names) if (name !== undefined) add ? drops.add(name) : drops.delete(name);
    this.#drops.set(node.name, drops);
    this.#network.cutLinks((from, to) => Boolean(this.#drops.get(from)?.has(to) || this.#drops.get(to)?.has(from)));
  }

  /** The node listening on the instance IP: its monitoring port is there even when its clients come through a proxy. */
  #nameAt(ip: string): string | undefined {
    return [...this.#nodes.values()].find((node) => new URL(node.monitoringUrl).hostname === ip)?.name;
  }

  async #applyInstanceStates(): Promise<void> {
    const ids = [...this.#nodes.keys()];
    const found = await this.#clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    for (const instance of found.Reservations?.flatMap((reservation) => reservation.Instances ?? []) ?? []) {
      const id = instance.InstanceId ?? "";
      const node = this.#nodes.get(id);
      const state = instance.State?.Name ?? "";
      if (!node) continue;
      if (["stopping", "stopped", "shutting-down", "terminated"].includes(state) && !this.#stoppedByEc2.has(id)) {
        this.#stoppedByEc2.add(id);
        if (state === "shutting-down" || state === "terminated") this.#vacated.push(id);
        this.#run(id, `ec2 ${state}`, () => node.stop());
      } else if (["pending", "running"].includes(state) && this.#stoppedByEc2.has(id)) {
        this.#stoppedByEc2.delete(id);
        this.#run(id, `ec2 ${state}`, () => node.start());
      }
    }
  }

  /**
   * A new InService instance of the group takes the place of a terminated one: its node is a new
   * server on the new instance's private IP, with an empty store, once the old node has stopped.
   */
  async #applyReplacements(): Promise<void> {
    const membership = this.#membership;
    if (!membership || this.#vacated.length === 0) return;
    const groups = await this.#clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [membership.asg] }));
    const members = groups.AutoScalingGroups?.[0]?.Instances ?? [];
    const fresh = members
      .filter((instance) => instance.LifecycleState === "InService" && !this.#nodes.has(instance.InstanceId ?? ""))
      .map((instance) => instance.InstanceId ?? "")
      .filter((id) => !this.#replaced.has(id));
    if (fresh.length === 0) return;
    // The group replaces the instances it let go of (moto's has no health checks: an instance EC2
    // terminated behind its back stays a member, down, and is never replaced).
    const left = this.#vacated.filter((id) => !members.some((member) => member.InstanceId === id));
    const found = await this.#clients.ec2.send(new DescribeInstancesCommand({ InstanceIds: fresh }));
    for (const instance of found.Reservations?.flatMap((reservation) => reservation.Instances ?? []) ?? []) {
      const vacated = left[0];
      const old = vacated === undefined ? undefined : this.#nodes.get(vacated);
      const id = instance.InstanceId ?? "";
      const ip = instance.PrivateIpAddress;
      if (!vacated || !old || instance.State?.Name !== "running" || ip === undefined) continue;
      left.shift();
      this.#vacated.splice(this.#vacated.indexOf(vacated), 1);
      this.#replaced.add(id);
      this.#run(vacated, `replaced by ${id} (${ip}): a new server, an empty store`, async () => {
        const replacement = await membership.replaceNode(old.name, ip);
        this.#nodes.delete(vacated);
        this.#nodes.set(id, replacement);
        this.#record(id, `serves in place of ${vacated}`);
      });
    }
  }

  #run(instance: string, what: string, work: () => Promise<void>): void {
    this.#record(instance, what);
    const previous = this.#queues.get(instance) ?? Promise.resolve();
    const next = previous.then(work).catch((error: unknown) => {
      this.#record(instance, `${what} failed: ${error instanceof Error ? error.message : String(error)}`);
    });
    this.#queues.set(instance, next);
  }

  #record(instance: string, what: string): void {
    this.#onEvent({ instance, node: this.#nodes.get(instance)?.name ?? "?", what });
  }
}
