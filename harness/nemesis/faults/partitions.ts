import type { Network } from "../../providers/stack.ts";
import { findMetaLeader, findStreamLeader } from "../leaders.ts";
import { sample } from "../prng.ts";
import { NemesisError, type NemesisTarget, nodeByName } from "../target.ts";
import type { FaultDefinition, InjectedFault } from "./fault.ts";

export interface PartitionMinority {
  readonly kind: "partition-minority";
  /** The nodes cut off from the rest; a random minority (⌊(n−1)/2⌋ nodes) when omitted. */
  readonly nodes?: readonly string[];
  readonly mode?: "blackhole" | "reset";
}

export interface IsolateMetaLeader {
  readonly kind: "isolate-meta-leader";
  readonly mode?: "blackhole" | "reset";
}

export interface IsolateStreamLeader {
  readonly kind: "isolate-stream-leader";
  readonly stream: string;
  readonly mode?: "blackhole" | "reset";
}

const noNetwork = (target: NemesisTarget) =>
  target.network ? undefined : "the target has no network control (local: withNetworkFaults())";

function networkOf(target: NemesisTarget, fault: string): Network {
  if (!target.network) throw NemesisError.missing(fault, "network control (local: LocalCluster.withNetworkFaults())");
  return target.network;
}

async function isolate(network: Network, nodes: readonly string[], target: Record<string, unknown>, mode?: "blackhole" | "reset") {
  await network.partition([nodes], mode ? { mode } : {});
  const injected: InjectedFault = { target, heal: () => network.heal() };
  return injected;
}

/** Cuts a minority off from the majority, both directions: the majority should keep serving. */
export const partitionMinority: FaultDefinition<PartitionMinority> = {
  kind: "partition-minority",
  unsupported: noNetwork,
  async inject(spec, context) {
    const network = networkOf(context.target, "partition-minority");
    const names = context.target.nodes.map((node) => node.name);
    const minority = spec.nodes ?? sample(context.random, names, Math.floor((names.length - 1) / 2));
    for (const name of minority) nodeByName(context.target, name);
    if (minority.length === 0 || minority.length * 2 >= names.length) {
      throw new NemesisError(`partition-minority: ${minority.length} of ${names.length} nodes is not a minority`);
    }
    const majority = names.filter((name) => !minority.includes(name));
    return isolate(network, minority, { minority: [...minority], majority }, spec.mode);
  },
};

/** Cuts the current JetStream meta leader off from everyone else. */
export const isolateMetaLeader: FaultDefinition<IsolateMetaLeader> = {
  kind: "isolate-meta-leader",
  unsupported: noNetwork,
  async inject(spec, context) {
    const network = networkOf(context.target, "isolate-meta-leader");
    const leader = await findMetaLeader(context.target);
    return isolate(network, [leader.name], { node: leader.name }, spec.mode);
  },
};

/** Cuts the given stream's leader off from everyone else: a new leader should be elected among the rest. */
export const isolateStreamLeader: FaultDefinition<IsolateStreamLeader> = {
  kind: "isolate-stream-leader",
  unsupported: noNetwork,
  async inject(spec, context) {
    const network = networkOf(context.target, "isolate-stream-leader");
    const leader = await findStreamLeader(context.target, spec.stream);
    return isolate(network, [leader.name], { stream: spec.stream, node: leader.name }, spec.mode);
  },
};
