import { GauntletError } from "../../lib/errors/index.ts";
import { type FaultSpec, findMetaLeader, findStreamLeader, type NemesisTarget, type Random } from "../nemesis/index.ts";
import { sample } from "../nemesis/prng.ts";
import type { NodeHandle, ReplicaTarget } from "../providers/stack.ts";
import type { Step } from "./schema.ts";

/** A fault step made concrete against the live system: the faults to inject, and what each hits. */
export interface ResolvedFault {
  readonly specs: readonly FaultSpec[];
  /** In words, for the plan and the timeline: `kill-node nats-3 (stream-leader:EVENTS)`. */
  readonly description: string;
}

/** A selector that matches nothing (or too little) in the live system. */
export class SelectorError extends GauntletError {
  override name = "SelectorError";
}

function howMany(step: Step, matched: number): number {
  if (step.percent !== undefined) return Math.max(1, Math.floor((matched * step.percent) / 100));
  return step.count ?? 1;
}

function pickSome<T>(step: Step, random: Random, items: readonly T[], what: string): T[] {
  const wanted = howMany(step, items.length);
  if (items.length < wanted) throw new SelectorError(`${wanted} ${what} wanted, ${items.length} match`);
  return sample(random, items, wanted);
}

/** The nodes a `node:` selector (with `az`, `count`, `percent`) picks now. */
async function selectNodes(step: Step, target: NemesisTarget, random: Random): Promise<NodeHandle[]> {
  const selector = step.node ?? "random";
  const zoned = step.az === undefined ? target.nodes : target.nodes.filter((node) => node.zone === step.az);
  if (step.az !== undefined && zoned.length === 0)
    throw new SelectorError(
      `no node in availability zone ${step.az} (zones: ${[...new Set(target.nodes.map((n) => n.zone ?? "unknown"))].join(", ")})`,
    );
  if (selector === "random")
    return pickSome(
      step,
      random,
      zoned.filter((node) => node.running),
      "running nodes",
    );
  const single =
    selector === "meta-leader"
      ? await findMetaLeader(target)
      : selector.startsWith("stream-leader:")
        ? await findStreamLeader(target, selector.slice("stream-leader:".length))
        : target.nodes.find((node) => node.name === selector);
  if (!single) throw new SelectorError(`no node named ${selector} (nodes: ${target.nodes.map((node) => node.name).join(", ")})`);
  if (!zoned.includes(single)) throw new SelectorError(`${selector} is ${single.name}, not in availability zone ${step.az}`);
  return [single];
}

function selectReplicas(step: Step, replicas: readonly ReplicaTarget[] | undefined, random: Random, what: string): ReplicaTarget[] {
  if (!replicas || replicas.length === 0) throw new SelectorError(`the target has no ${what} replicas it can fault`);
  const service = step.service ?? "*";
  const matching = service === "*" ? replicas : replicas.filter((replica) => (replica.service ?? replica.name) === service);
  if (matching.length === 0) {
    const known = [...new Set(replicas.map((replica) => replica.service ?? replica.name))];
    throw new SelectorError(`no ${what} named ${service} (known: ${known.slice(0, 30).join(", ")})`);
  }
  return pickSome(step, random, matching, `${service} replicas`);
}

const describeNodes = (step: Step, nodes: readonly NodeHandle[]) =>
  `${nodes.map((node) => node.name).join(", ")}${step.node && step.node !== nodes[0]?.name ? ` (${step.node})` : ""}`;

/** Resolves a fault step's selectors against the system as it is now. */
export async function resolveFault(step: Step, target: NemesisTarget, random: Random): Promise<ResolvedFault> {
  const fault = step.fault;
  if (fault === undefined) throw new SelectorError("not a fault step");
  switch (fault) {
    case "kill-node":
    case "pause-node":
    case "deregister-nlb-target": {
      const nodes = await selectNodes(step, target, random);
      return { specs: nodes.map((node) => ({ kind: fault, node: node.name })), description: `${fault} ${describeNodes(step, nodes)}` };
    }
    case "stop-node": {
      const nodes = await selectNodes(step, target, random);
      return {
        specs: nodes.map((node) => ({ kind: fault, node: node.name, lameDuck: step.lame_duck ?? true })),
        description: `${fault} ${describeNodes(step, nodes)}${step.lame_duck === false ? "" : " (lame duck)"}`,
      };
    }
    case "kill-stream-leader":
    case "isolate-stream-leader": {
      if (!step.stream) throw new SelectorError(`${fault} needs stream: NAME`);
      const leader = await findStreamLeader(target, step.stream);
      return { specs: [{ kind: fault, stream: step.stream }], description: `${fault} ${step.stream}: now ${leader.name}` };
    }
    case "isolate-meta-leader": {
      const leader = await findMetaLeader(target);
      return { specs: [{ kind: fault }], description: `${fault}: now ${leader.name}` };
    }
    case "kill-service-replica": {
      const replicas = selectReplicas(step, target.services, random, "service");
      return {
        specs: replicas.map((replica) => ({ kind: fault, replica: replica.name })),
        description: `${fault} ${replicas.map((r) => r.name).join(", ")}`,
      };
    }
    case "kill-gateway-replica": {
      const replicas = selectReplicas(step, target.gateways, random, "gateway");
      return {
        specs: replicas.map((replica) => ({ kind: fault, replica: replica.name })),
        description: `${fault} ${replicas.map((r) => r.name).join(", ")}`,
      };
    }
    case "redeploy-services": {
      const services = step.service === undefined || step.service === "*" ? undefined : step.service.split(",").map((name) => name.trim());
      const replicas = (target.services ?? []).filter((replica) => !services || services.includes(replica.service ?? replica.name));
      if (replicas.length === 0) throw new SelectorError(`no service replicas match ${step.service ?? "*"}`);
      return {
        specs: [{ kind: fault, ...(services ? { services } : {}) }],
        description: `${fault}: ${replicas.length} replicas of ${services?.join(", ") ?? "every service"}, one at a time`,
      };
    }
    case "rolling-restart":
      return {
        specs: [{ kind: fault, lameDuck: step.lame_duck ?? true }],
        description: `${fault} of ${target.nodes.length} nodes, one at a time`,
      };
    case "partition-minority":
      return { specs: [{ kind: fault }], description: `${fault} (a random minority of ${target.nodes.length} nodes)` };
    case "full-restart":
      return { specs: [{ kind: fault }], description: `${fault} of all ${target.nodes.length} nodes` };
    case "replace-node": {
      const nodes = await selectNodes(step, target, random);
      return {
        specs: nodes.map((node) => ({ kind: fault, node: node.name })),
        description: `${fault} ${describeNodes(step, nodes)} (a new server name and an empty store; the old peer removed)`,
      };
    }
    case "step-down": {
      const leader = step.leader ?? "stream";
      if (leader !== "meta" && !step.stream) throw new SelectorError(`${fault} of a ${leader} leader needs stream: NAME`);
      if (leader === "consumer" && !step.consumer) throw new SelectorError(`${fault} of a consumer leader needs consumer: NAME`);
      const of = leader === "meta" ? "the meta group" : leader === "stream" ? step.stream : `${step.stream}/${step.consumer}`;
      return {
        specs: [
          { kind: fault, leader, ...(step.stream ? { stream: step.stream } : {}), ...(step.consumer ? { consumer: step.consumer } : {}) },
        ],
        description: `${fault} of ${of}'s leader`,
      };
    }
    case "stall-consumer": {
      if (!step.stream || !step.consumer) throw new SelectorError(`${fault} needs stream: NAME and consumer: NAME`);
      return {
        specs: [{ kind: fault, stream: step.stream, consumer: step.consumer }],
        description: `${fault} ${step.stream}/${step.consumer}`,
      };
    }
    case "disk-full": {
      if (step.stream) {
        const leader = await findStreamLeader(target, step.stream);
        return { specs: [{ kind: fault, node: leader.name }], description: `${fault} of ${step.stream}'s leader: now ${leader.name}` };
      }
      const nodes = await selectNodes(step, target, random);
      return { specs: nodes.map((node) => ({ kind: fault, node: node.name })), description: `${fault} ${describeNodes(step, nodes)}` };
    }
    case "slow-link":
      return { specs: [{ kind: fault }], description: `${fault}: 50 ms ± 20 on every route` };
    case "lossy-link":
      return { specs: [{ kind: fault }], description: `${fault}: 3 % of segments lost on every route` };
    case "bandwidth-limit":
      return { specs: [{ kind: fault }], description: `${fault}: every node sends at most 1 Mbit/s on its routes` };
  }
}
