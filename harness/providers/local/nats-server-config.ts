export interface NodePorts {
  /** The address the node listens on (127.0.0.1 unless given: the AWS twin puts each node on its instance's IP, the kernel network on its namespace's address). */
  readonly host?: string;
  readonly client: number;
  readonly cluster: number;
  readonly monitoring: number;
}

export interface NodeConfigInput {
  readonly name: string;
  readonly clusterName: string;
  readonly ports: NodePorts;
  readonly peers: readonly NodePorts[];
  readonly storeDir: string;
  readonly maxPayload: number;
  readonly extra: Record<string, unknown>;
  /** TLS on client connections and routes, both verifying the peer's certificate against the CA. */
  readonly tls?: ServerTls;
  /** JetStream fsyncs every write before acknowledging it (`sync_interval: always`) instead of every 2 minutes. */
  readonly syncAlways?: boolean;
  /** Route links to dial instead of the peers' cluster ports directly (network-fault proxies). */
  readonly proxiedRoutes?: ProxiedRoutes;
  /** A user of the system account (`SYS`): JetStream's cluster operations (step-down, peer-remove) answer only to it. */
  readonly systemUser?: { readonly user: string; readonly pass: string };
  /** Clients learn no node addresses from the cluster (`no_advertise`), as behind a load balancer: they reconnect where they first dialled. */
  readonly noAdvertise?: boolean;
}

/** The system account's name in the configs Gauntlet writes. */
export const SYSTEM_ACCOUNT = "SYS";

export interface ProxiedRoutes {
  readonly urls: readonly string[];
  /** A closed loopback port advertised as this node's route address, so gossip hands out nothing that bypasses the proxies. */
  readonly deadEndPort: number;
}

export interface ServerTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

const MiB = 1024 * 1024;

/**
 * nats-server's handshake timeout defaults to 0.5 s: dozens of replicas connecting at once on a
 * busy machine miss it, so a TLS stack allows a few seconds.
 */
const TLS_HANDSHAKE_TIMEOUT_S = 5;

function tlsBlock(tls: ServerTls): Record<string, unknown> {
  return { ca_file: tls.ca, cert_file: tls.cert, key_file: tls.key, verify: true, timeout: TLS_HANDSHAKE_TIMEOUT_S };
}

/** nats-server reads JSON as its config format, so a node's config is plain data. */
export function natsServerConfig(input: NodeConfigInput): Record<string, unknown> {
  const clustered = input.peers.length > 1;
  const host = input.ports.host ?? "127.0.0.1";
  return {
    server_name: input.name,
    listen: `${host}:${input.ports.client}`,
    http: `${host}:${input.ports.monitoring}`,
    max_payload: input.maxPayload,
    max_pending: Math.max(64 * MiB, input.maxPayload * 4),
    lame_duck_duration: "30s",
    lame_duck_grace_period: "1s",
    ...(input.tls ? { tls: tlsBlock(input.tls) } : {}),
    jetstream: {
      store_dir: input.storeDir,
      max_memory_store: 256 * MiB,
      max_file_store: 4096 * MiB,
      ...(input.syncAlways ? { sync_interval: "always" } : {}),
    },
    ...(clustered
      ? {
          cluster: {
            name: input.clusterName,
            listen: `${host}:${input.ports.cluster}`,
            routes: input.peers.filter((peer) => peer !== input.ports).map((peer) => `nats://${peer.host ?? "127.0.0.1"}:${peer.cluster}`),
            connect_retries: 120,
            ...(input.tls ? { tls: tlsBlock(input.tls) } : {}),
            ...(input.noAdvertise ? { no_advertise: true } : {}),
            ...(input.proxiedRoutes ? routeConfigFor(input.proxiedRoutes) : {}),
          },
        }
      : {}),
    ...input.extra,
    ...(input.systemUser ? systemAccountConfig(input.systemUser, input.extra.accounts) : {}),
  };
}

/**
 * The system account with one user, beside whatever accounts `extra` defines. With no other
 * account JetStream stays on the global account, and clients without credentials still land there
 * (nats-server adds a no-auth user for it when there is no `authorization` block).
 */
function systemAccountConfig(user: { readonly user: string; readonly pass: string }, accounts: unknown): Record<string, unknown> {
  return {
    system_account: SYSTEM_ACCOUNT,
    accounts: {
      ...(accounts as Record<string, unknown> | undefined),
      [SYSTEM_ACCOUNT]: { users: [{ user: user.user, password: user.pass }] },
    },
  };
}

/**
 * Cluster settings when every route goes through a fault proxy. Routes dial the proxies; the
 * advertised route address is a dead end and implicit (gossiped) routes are tried once only, so
 * no node learns a real cluster port; `no_advertise` keeps client connect URLs out of gossip
 * too. Route pings stay nats-server's (every 2 min, as in production and on the kernel network):
 * a route rides out a cut of seconds as TCP does. With pings every second the routes were torn
 * down 3 s into every cut, and that alone left the isolated stream leader behind after the heal
 * (nats-server 2.15.2, kernel network too: see bench/repro/route-teardown-lag.sh).
 */
export function routeConfigFor(proxied: ProxiedRoutes): Record<string, unknown> {
  return {
    routes: [...proxied.urls],
    advertise: `127.0.0.1:${proxied.deadEndPort}`,
    no_advertise: true,
    connect_retries: 0,
  };
}
