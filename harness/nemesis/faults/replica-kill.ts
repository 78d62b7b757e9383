import { pick } from "../prng.ts";
import { NemesisError, type NemesisTarget, type ReplicaTarget } from "../target.ts";
import type { FaultContext, FaultDefinition, InjectedFault } from "./fault.ts";

export interface KillServiceReplica {
  readonly kind: "kill-service-replica";
  /** Replica name; random when omitted. */
  readonly replica?: string;
}

export interface KillGatewayReplica {
  readonly kind: "kill-gateway-replica";
  readonly replica?: string;
}

async function killReplica(
  fault: string,
  what: "service" | "gateway",
  replicas: readonly ReplicaTarget[] | undefined,
  name: string | undefined,
  context: FaultContext,
): Promise<InjectedFault> {
  if (!replicas || replicas.length === 0) throw NemesisError.missing(fault, `${what} replicas`);
  const replica =
    name === undefined
      ? pick(context.random, replicas)
      : (replicas.find((candidate) => candidate.name === name) ??
        (() => {
          throw NemesisError.unknown(
            `${what} replica`,
            name,
            replicas.map((r) => r.name),
          );
        })());
  await replica.kill();
  const restartable = replica.start !== undefined;
  return {
    target: { replica: replica.name, restartable },
    heal: async () => {
      await replica.start?.();
    },
  };
}

const none = (list: readonly ReplicaTarget[] | undefined, what: string) =>
  list && list.length > 0 ? undefined : `the target has no ${what} replicas`;

/** Kills one service replica; heal restarts it when the provider can (`start`). */
export const killServiceReplica: FaultDefinition<KillServiceReplica> = {
  kind: "kill-service-replica",
  unsupported: (target: NemesisTarget) => none(target.services, "service"),
  inject: (spec, context) => killReplica("kill-service-replica", "service", context.target.services, spec.replica, context),
};

/** Kills one gateway replica; heal restarts it when the provider can (`start`). */
export const killGatewayReplica: FaultDefinition<KillGatewayReplica> = {
  kind: "kill-gateway-replica",
  unsupported: (target: NemesisTarget) => none(target.gateways, "gateway"),
  inject: (spec, context) => killReplica("kill-gateway-replica", "gateway", context.target.gateways, spec.replica, context),
};
