export interface NodePorts {
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
}

const MiB = 1024 * 1024;

/** nats-server reads JSON as its config format, so a node's config is plain data. */
export function natsServerConfig(input: NodeConfigInput): Record<string, unknown> {
  const clustered = input.peers.length > 1;
  return {
    server_name: input.name,
    listen: `127.0.0.1:${input.ports.client}`,
    http: `127.0.0.1:${input.ports.monitoring}`,
    max_payload: input.maxPayload,
    max_pending: Math.max(64 * MiB, input.maxPayload * 4),
    lame_duck_duration: "30s",
    lame_duck_grace_period: "1s",
    jetstream: { store_dir: input.storeDir, max_memory_store: 256 * MiB, max_file_store: 4096 * MiB },
    ...(clustered
      ? {
          cluster: {
            name: input.clusterName,
            listen: `127.0.0.1:${input.ports.cluster}`,
            routes: input.peers.filter((peer) => peer !== input.ports).map((peer) => `nats://127.0.0.1:${peer.cluster}`),
            connect_retries: 120,
          },
        }
      : {}),
    ...input.extra,
  };
}
