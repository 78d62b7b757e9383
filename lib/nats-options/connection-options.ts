import { readFileSync } from "node:fs";
import { type ConnectionOptions, credsAuthenticator, nkeyAuthenticator } from "@nats-io/transport-node";

/** How to reach a NATS system, as plain data (a target file's `nats:` section), so it can cross to worker threads. */
export interface NatsAccess {
  readonly servers: readonly string[];
  readonly user?: string | undefined;
  readonly pass?: string | undefined;
  readonly token?: string | undefined;
  /** A `.creds` file: user JWT and nkey seed. */
  readonly creds?: string | undefined;
  /** A file holding a user nkey seed (`SU…`). */
  readonly nkey?: string | undefined;
  /** PEM files; `{}` asks for TLS with the system's CAs. */
  readonly tls?: { readonly ca?: string | undefined; readonly cert?: string | undefined; readonly key?: string | undefined } | undefined;
}

/** `production` notices a dead or hung server within seconds and never gives up; `defaults` is nats.js as shipped. */
export type ClientProfile = "production" | "defaults";

/**
 * nats.js defaults hide faults: a ping every 2 minutes, 10 reconnect attempts 2 s apart, and
 * 20 s for each dial. A production client reconnects forever and fast, notices a dead server in
 * about 4 s, and gives up a dial after 2 s: nats.js waits the whole `timeout` for a server that
 * accepted the socket but hangs, or that died after its INFO (a node killed mid-handshake in a
 * full restart kept the gateway unready for 20 s after the cluster was back).
 */
const PRODUCTION: Partial<ConnectionOptions> = {
  maxReconnectAttempts: -1,
  reconnectTimeWait: 250,
  reconnectJitter: 100,
  pingInterval: 2_000,
  maxPingOut: 2,
  timeout: 2_000,
};

export interface ClientChoice {
  /** Shown by the server (`/connz`). */
  readonly name: string;
  readonly profile?: ClientProfile;
  /** Other servers than `access.servers`, e.g. a single node. */
  readonly servers?: readonly string[];
}

/**
 * The one way a target becomes nats.js connection options: its servers, its credentials
 * (user/pass, token, creds file, nkey seed file), its TLS files and the client profile.
 * Credential files are read when the client connects, so a missing file fails the connection
 * with the file's name.
 */
export function natsConnectionOptions(access: NatsAccess, client: ClientChoice): ConnectionOptions {
  return {
    servers: [...(client.servers ?? access.servers)],
    name: client.name,
    ...(client.profile === "defaults" ? {} : PRODUCTION),
    ...(access.user !== undefined ? { user: access.user, pass: access.pass ?? "" } : {}),
    ...(access.token !== undefined ? { token: access.token } : {}),
    ...authenticator(access),
    ...(access.tls ? { tls: tlsFiles(access.tls) } : {}),
  };
}

function authenticator(access: NatsAccess): Pick<ConnectionOptions, "authenticator"> {
  const { creds, nkey } = access;
  if (creds !== undefined) return { authenticator: credsAuthenticator(() => readFileSync(creds)) };
  if (nkey !== undefined) return { authenticator: nkeyAuthenticator(() => new TextEncoder().encode(readFileSync(nkey, "utf8").trim())) };
  return {};
}

function tlsFiles(tls: NonNullable<NatsAccess["tls"]>): NonNullable<ConnectionOptions["tls"]> {
  return {
    ...(tls.ca !== undefined ? { caFile: tls.ca } : {}),
    ...(tls.cert !== undefined ? { certFile: tls.cert } : {}),
    ...(tls.key !== undefined ? { keyFile: tls.key } : {}),
  };
}
