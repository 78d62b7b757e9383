import type { NodeHandle } from "../../providers/stack.ts";
import { pick } from "../prng.ts";
import { nodeByName } from "../target.ts";
import type { FaultContext, FaultDefinition, InjectedFault } from "./fault.ts";

export interface KillNode {
  readonly kind: "kill-node";
  /** Node name; a random running node when omitted. */
  readonly node?: string;
}

export interface StopNode {
  readonly kind: "stop-node";
  readonly node?: string;
  /** Lame-duck mode first (leaders and clients move away), then stop. Default true. */
  readonly lameDuck?: boolean;
}

export interface PauseNode {
  readonly kind: "pause-node";
  readonly node?: string;
}

export function chooseNode(context: FaultContext, name: string | undefined): NodeHandle {
  if (name !== undefined) return nodeByName(context.target, name);
  const running = context.target.nodes.filter((node) => node.running);
  return pick(context.random, running.length > 0 ? running : context.target.nodes);
}

/** A fault over every node (a rolling or full restart): heal starts whichever is not running. */
export function restartAllOnHeal(nodes: readonly NodeHandle[], target: Record<string, unknown>): InjectedFault {
  return {
    target,
    heal: async () => {
      for (const node of nodes) if (!node.running) await node.start();
    },
  };
}

function restartOnHeal(node: NodeHandle, target: Record<string, unknown>): InjectedFault {
  return {
    target,
    heal: async () => {
      if (!node.running) await node.start();
    },
  };
}

/** SIGKILL: the node dies without a word to its peers; heal starts it on the same ports and data. */
export const killNode: FaultDefinition<KillNode> = {
  kind: "kill-node",
  async inject(spec, context) {
    const node = chooseNode(context, spec.node);
    await node.kill();
    return restartOnHeal(node, { node: node.name });
  },
};

/** Graceful stop (lame duck first by default); heal starts it again. */
export const stopNode: FaultDefinition<StopNode> = {
  kind: "stop-node",
  async inject(spec, context) {
    const node = chooseNode(context, spec.node);
    const lameDuck = spec.lameDuck ?? true;
    await node.stop({ lameDuck });
    return restartOnHeal(node, { node: node.name, lameDuck });
  },
};

/** SIGSTOP: a hung node that keeps its sockets open; heal sends SIGCONT. */
export const pauseNode: FaultDefinition<PauseNode> = {
  kind: "pause-node",
  async inject(spec, context) {
    const node = chooseNode(context, spec.node);
    await node.pause();
    return { target: { node: node.name }, heal: () => node.resume() };
  },
};
