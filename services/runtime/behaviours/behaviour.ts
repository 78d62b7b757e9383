import type { NatsConnection } from "@nats-io/transport-node";
import type { EndpointHandler } from "../endpoint.ts";
import type { ReplicaSpec } from "../replica-spec.ts";

export interface BehaviourContext {
  spec: ReplicaSpec;
  nc: NatsConnection;
  log: (line: string) => void;
}

/** A service's real implementation; endpoints it has no handler for behave as stand-ins. */
export interface Behaviour {
  handlers: Record<string, EndpointHandler>;
  /** Extra data for `$SRV.STATS` answers. */
  statsData?(): unknown;
  /** Finish background work (after the endpoints stopped taking requests, before the connection drains). */
  stop?(): Promise<void>;
}

export type BehaviourFactory = (context: BehaviourContext) => Promise<Behaviour>;
