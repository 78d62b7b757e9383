import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { ListCommandsCommand } from "@aws-sdk/client-ssm";
import type { NodeHandle } from "../stack.ts";
import type { AwsClients } from "./aws-clients.ts";
import { actionOf, instanceOf, type NodeAction } from "./ssm-scripts.ts";

/** One thing the reconciler did (or could not do) to a node, as it happens. */
export interface TwinEvent {
  readonly instance: string;
  readonly node: string;
  readonly what: string;
}

const DEAD_MAN = /--on-active=(\d+)s/;

/**
 * The AWS twin's data plane follows its control plane: moto records the API calls, this applies
 * them to local nodes. SSM commands run as the node action their first line names (with their
 * dead-man undo as a timer); an instance EC2 stopped or terminated has its node stopped, one
 * running again has it started. Actions on one node happen in order.
 */
export class TwinReconciler {
  readonly #clients: AwsClients;
  readonly #onEvent: (event: TwinEvent) => void;
  readonly #nodes: ReadonlyMap<string, NodeHandle>;
  readonly #seen = new Set<string>();
  readonly #queues = new Map<string, Promise<void>>();
  readonly #deadMen = new Map<string, NodeJS.Timeout>();
  readonly #stoppedByEc2 = new Set<string>();
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;

  constructor(
    clients: AwsClients,
    nodesByInstance: ReadonlyMap<string, NodeHandle>,
    options: { intervalMs?: number; onEvent?: (event: TwinEvent) => void } = {},
  ) {
    this.#clients = clients;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#nodes = nodesByInstance;
    this.#intervalMs = options.intervalMs ?? 100;
  }

  start(): void {
    this.#timer = setInterval(() => void this.#tick(), this.#intervalMs);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    for (const timer of this.#deadMen.values()) clearTimeout(timer);
    await Promise.allSettled(this.#queues.values());
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return;
    this.#ticking = true;
    try {
      await this.#applyCommands();
      await this.#applyInstanceStates();
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
      this.#run(instance, action, () => this.#apply(instance, action, seconds));
    }
  }

  async #apply(instance: string, action: NodeAction, deadManSeconds: number): Promise<void> {
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
          setTimeout(() => this.#run(instance, `dead-man ${undo}`, () => this.#apply(instance, undo, 0)), deadManSeconds * 1_000),
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
      case "heal-partition":
        this.#record(instance, `${action}: not emulated by the twin (its nodes share one loopback interface)`);
        break;
    }
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
        this.#run(id, `ec2 ${state}`, () => node.stop());
      } else if (["pending", "running"].includes(state) && this.#stoppedByEc2.has(id)) {
        this.#stoppedByEc2.delete(id);
        this.#run(id, `ec2 ${state}`, () => node.start());
      }
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
