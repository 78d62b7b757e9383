import { getMonitoring } from "./monitoring-client.ts";

interface Varz {
  server_id: string;
  server_name: string;
  version: string;
  max_payload: number;
  tls_required?: boolean;
  tls_verify?: boolean;
  cluster?: { tls_required?: boolean };
  jetstream?: { config?: JetStreamConfig };
}

interface JetStreamConfig {
  /** In nanoseconds; with `sync_interval: always` it stays at the default and `sync_always` is set. */
  sync_interval?: number;
  sync_always?: boolean;
}

interface Routez {
  routes?: Array<{ remote_id: string; remote_name?: string }>;
}

export interface StreamReplicaView {
  readonly name: string;
  readonly current: boolean;
  readonly offline: boolean;
  readonly lag: number;
}

export interface StreamView {
  readonly name: string;
  readonly replicas: number;
  readonly storage: "file" | "memory";
  readonly leader: string | undefined;
  readonly followers: readonly StreamReplicaView[];
  readonly messages: number;
  /** False when this view comes from a follower because the leader could not be asked. */
  readonly leaderReachable: boolean;
}

interface Jsz {
  disabled?: boolean;
  config?: JetStreamConfig;
  meta_cluster?: { leader?: string; cluster_size?: number };
  account_details?: Array<{
    stream_detail?: Array<{
      name: string;
      config?: { num_replicas?: number; storage?: string };
      state?: { messages?: number };
      cluster?: { leader?: string; replicas?: Array<{ name: string; current: boolean; offline?: boolean; lag?: number }> };
    }>;
  }>;
}

export type JetStreamSync = { readonly always: true } | { readonly always: false; readonly intervalMs: number };

/** One node as its monitoring port sees it, or why it could not be seen. */
export type NodeSnapshot =
  | { readonly url: string; readonly reachable: false; readonly error: string }
  | {
      readonly url: string;
      readonly reachable: true;
      readonly serverId: string;
      readonly serverName: string;
      readonly version: string;
      readonly maxPayload: number;
      readonly tlsRequired: boolean;
      /** Clients must present a certificate the server verifies. */
      readonly tlsVerify: boolean;
      /** Cluster routes require TLS. */
      readonly routesTls: boolean;
      readonly jetstream: boolean;
      /** How often JetStream fsyncs its file store: after every write, or every `intervalMs`; undefined without JetStream. */
      readonly sync: JetStreamSync | undefined;
      readonly metaLeader: string | undefined;
      readonly metaClusterSize: number | undefined;
      /** Distinct route peers, by server name where the server reports it (routes are pooled: count peers, not connections). */
      readonly routePeers: readonly string[];
      /** Streams this node hosts, as this node reports them. */
      readonly streams: readonly StreamView[];
    };

export type ReachableSnapshot = Extract<NodeSnapshot, { reachable: true }>;

const NANOS_PER_MS = 1_000_000;
/** nats-server's default, for servers that leave the field out. */
const DEFAULT_SYNC_INTERVAL_MS = 120_000;

function syncOf(config: JetStreamConfig | undefined): JetStreamSync | undefined {
  if (!config) return undefined;
  if (config.sync_always) return { always: true };
  return { always: false, intervalMs: config.sync_interval ? config.sync_interval / NANOS_PER_MS : DEFAULT_SYNC_INTERVAL_MS };
}

/**
 * JetStream's running config as /jsz reports it; /varz's only when /jsz did not answer. nats-server
 * builds its /varz answer on the first /varz request and fills the JetStream config in then only:
 * a server first asked before JetStream started says no JetStream in /varz for its whole life.
 */
function jetStreamConfig(varz: Varz, jsz: Jsz | undefined): JetStreamConfig | undefined {
  if (!jsz) return varz.jetstream?.config;
  return jsz.disabled ? undefined : jsz.config;
}

export async function snapshotNode(url: string, options: { streams?: boolean; timeoutMs?: number } = {}): Promise<NodeSnapshot> {
  const timeoutMs = options.timeoutMs ?? 2_000;
  try {
    const jszPath = options.streams ? "/jsz?accounts=true&streams=true&config=true" : "/jsz";
    const [varz, routez, jsz] = await Promise.all([
      getMonitoring<Varz>(url, "/varz", timeoutMs),
      getMonitoring<Routez>(url, "/routez", timeoutMs),
      getMonitoring<Jsz>(url, jszPath, timeoutMs).catch(() => undefined),
    ]);
    const jetstream = jetStreamConfig(varz, jsz);
    const peers = new Set((routez.routes ?? []).map((route) => route.remote_name ?? route.remote_id));
    const streams = (jsz?.account_details ?? []).flatMap((account) =>
      (account.stream_detail ?? []).map(
        (stream): StreamView => ({
          name: stream.name,
          replicas: stream.config?.num_replicas ?? (stream.cluster?.replicas?.length ?? 0) + 1,
          storage: stream.config?.storage === "memory" ? "memory" : "file",
          leader: stream.cluster?.leader,
          followers: (stream.cluster?.replicas ?? []).map((replica) => ({
            name: replica.name,
            current: replica.current,
            offline: replica.offline ?? false,
            lag: replica.lag ?? 0,
          })),
          messages: stream.state?.messages ?? 0,
          leaderReachable: stream.cluster?.leader === varz.server_name || (stream.config?.num_replicas ?? 1) === 1,
        }),
      ),
    );
    return {
      url,
      reachable: true,
      serverId: varz.server_id,
      serverName: varz.server_name,
      version: varz.version,
      maxPayload: varz.max_payload,
      tlsRequired: varz.tls_required ?? false,
      tlsVerify: varz.tls_verify ?? false,
      routesTls: varz.cluster?.tls_required ?? false,
      jetstream: jetstream !== undefined,
      sync: syncOf(jetstream),
      metaLeader: jsz?.meta_cluster?.leader || undefined,
      metaClusterSize: jsz?.meta_cluster?.cluster_size,
      routePeers: [...peers],
      streams,
    };
  } catch (error) {
    return { url, reachable: false, error: error instanceof Error ? error.message : String(error) };
  }
}

export function snapshotCluster(urls: readonly string[], options: { streams?: boolean; timeoutMs?: number } = {}): Promise<NodeSnapshot[]> {
  return Promise.all(urls.map((url) => snapshotNode(url, options)));
}
