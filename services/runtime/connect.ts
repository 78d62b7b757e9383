import type { NatsConnection } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";
import { type NatsAccess, natsConnectionOptions } from "../../lib/nats-options/index.ts";

export interface Credentials {
  user: string;
  pass: string;
}

/** PEM files for NATS over TLS: the CA to trust, and a client certificate when the servers verify clients. */
export type TlsFiles = NonNullable<NatsAccess["tls"]>;

/** Passes TLS files to a child replica by environment (see `tlsFromEnv`). */
export function tlsEnv(tls: TlsFiles | undefined): Record<string, string> {
  if (!tls) return {};
  return {
    ...(tls.ca ? { GAUNTLET_NATS_TLS_CA: tls.ca } : {}),
    ...(tls.cert ? { GAUNTLET_NATS_TLS_CERT: tls.cert } : {}),
    ...(tls.key ? { GAUNTLET_NATS_TLS_KEY: tls.key } : {}),
  };
}

export function tlsFromEnv(env: NodeJS.ProcessEnv): TlsFiles | undefined {
  const tls = { ca: env.GAUNTLET_NATS_TLS_CA, cert: env.GAUNTLET_NATS_TLS_CERT, key: env.GAUNTLET_NATS_TLS_KEY };
  return tls.ca || tls.cert || tls.key ? tls : undefined;
}

/** A production client (faults noticed in seconds, reconnects forever) that waits for a server that is not up yet. */
export function connectService(servers: string[], name: string, credentials?: Credentials, tls?: TlsFiles): Promise<NatsConnection> {
  const access = { servers, ...credentials, ...(tls ? { tls } : {}) };
  return connect({ ...natsConnectionOptions(access, { name }), waitOnFirstConnect: true, timeout: 5_000 });
}
