import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { type NatsAccess, natsConnectionOptions } from "../lib/nats-options/index.ts";
import { GatewayError } from "./errors.ts";
import { GATEWAY_INBOX_PREFIX } from "./permissions.ts";

export type GatewayCredentials = { user: string; pass: string } | { token: string };

/** PEM files for a NATS connection over TLS: the CA to trust, and a client certificate when the servers verify clients. */
export type NatsTlsFiles = NonNullable<NatsAccess["tls"]>;

/** Connects as a production client (faults noticed in seconds, reconnects forever) with the gateway's own inbox prefix. */
export async function connectGateway(
  servers: string[],
  credentials: GatewayCredentials | undefined,
  tls?: NatsTlsFiles,
): Promise<NatsConnection> {
  try {
    return await connect({
      ...natsConnectionOptions({ servers, ...credentials, ...(tls ? { tls } : {}) }, { name: "gauntlet-gateway" }),
      inboxPrefix: GATEWAY_INBOX_PREFIX,
      // Errors are mapped by class, never shown with stacks: skip a stack capture per request.
      noAsyncTraces: true,
    });
  } catch (error) {
    throw GatewayError.natsUnavailable(servers, error);
  }
}

/** Tracks whether the connection is up, from its status events, until it closes. */
export class ConnectionWatch {
  connected = true;
  reconnects = 0;
  readonly done: Promise<void>;

  constructor(nc: NatsConnection) {
    this.done = this.#watch(nc);
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === "disconnect" || status.type === "close") this.connected = false;
      if (status.type === "reconnect") {
        this.connected = true;
        this.reconnects += 1;
      }
    }
    this.connected = false;
  }
}
