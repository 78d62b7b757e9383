import { GauntletError } from "../../lib/errors/index.ts";
import type { NatsAccess } from "../../lib/nats-options/index.ts";
import type { LoadBalancerHandle, Network, NodeHandle, NodeReplacing, ReplicaTarget } from "../providers/stack.ts";

export type { ReplicaTarget };

/**
 * A consumer's processor — the workload's, not the system's — a fault can stall: it keeps
 * receiving, stops acknowledging, and carries on where it stopped when resumed.
 */
export interface StallableConsumer {
  readonly stream: string;
  /** The durable consumer it processes. */
  readonly consumer: string;
  stall(): void;
  resume(): void;
}

/**
 * What the nemesis can fault, whatever runs it: local processes, containers or EC2/ECS. A
 * `StartedLocalCluster` is one as it is; add `services` / `gateways` from a started fleet.
 */
export interface NemesisTarget extends Partial<NodeReplacing> {
  readonly nodes: readonly NodeHandle[];
  readonly monitoringUrls: readonly string[];
  readonly network?: Network | undefined;
  /** The NATS system account's user: JetStream's meta-leader step-down and peer-remove need it. */
  readonly systemAccount?: NatsAccess | undefined;
  readonly services?: readonly ReplicaTarget[] | undefined;
  readonly gateways?: readonly ReplicaTarget[] | undefined;
  /** The load balancer clients reach the nodes through, where the provider has one. */
  readonly loadBalancer?: LoadBalancerHandle | undefined;
  /** How many instances of a service answer discovery (`$SRV.PING`) now, where the caller can ask: a redeploy waits on it. */
  readonly instancesOf?: ((service: string) => Promise<number>) | undefined;
}

export class NemesisError extends GauntletError {
  override name = "NemesisError";

  static unknown(what: string, name: string, known: readonly string[]): NemesisError {
    return new NemesisError(`nemesis: no ${what} named "${name}" (known: ${known.length > 0 ? known.join(", ") : "none"})`);
  }

  static missing(fault: string, what: string): NemesisError {
    return new NemesisError(`nemesis: fault ${fault} needs ${what}, and the target has none`);
  }

  static noLeader(what: string, detail: string): NemesisError {
    return new NemesisError(`nemesis: cannot find the ${what} leader: ${detail}`);
  }

  static healFailed(errors: readonly unknown[]): NemesisError {
    const reasons = errors.map((error) => (error instanceof Error ? error.message : String(error))).join("; ");
    return new NemesisError(`nemesis: healing failed: ${reasons}`, { cause: errors[0] });
  }
}

export function nodeByName(target: NemesisTarget, name: string): NodeHandle {
  const node = target.nodes.find((candidate) => candidate.name === name);
  if (!node)
    throw NemesisError.unknown(
      "node",
      name,
      target.nodes.map((n) => n.name),
    );
  return node;
}
