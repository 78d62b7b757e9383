import type { NatsConnection } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";

export interface Credentials {
  user: string;
  pass: string;
}

/** A production client (faults noticed in seconds, reconnects forever) that waits for a server that is not up yet. */
export function connectService(servers: string[], name: string, credentials?: Credentials): Promise<NatsConnection> {
  return connect({ ...natsConnectionOptions({ servers, ...credentials }, { name }), waitOnFirstConnect: true, timeout: 5_000 });
}
