import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { type NatsAccess, natsConnectionOptions } from "../../lib/nats-options/index.ts";
import { getMonitoring } from "../probes/index.ts";
import type { NodeHandle } from "../providers/stack.ts";
import type { StreamPlacement } from "./quorum.ts";

/** Node name by the server name its monitoring port reports (`/varz`); a node that does not answer keeps its own name. */
export async function serverNamesOf(nodes: readonly NodeHandle[]): Promise<Map<string, string>> {
  const entries = await Promise.all(
    nodes.map(async (node) => {
      const varz = await getMonitoring<{ server_name?: string }>(node.monitoringUrl, "/varz", 1_500).catch(() => undefined);
      return [varz?.server_name ?? node.name, node.name] as const;
    }),
  );
  return new Map(entries);
}

/**
 * Every stream's leader and replicas from the JetStream API (`$JS.API.STREAM.INFO`, its `cluster`
 * section), by node name: what a fault on some nodes would really take from each stream.
 */
export async function readStreamPlacement(access: NatsAccess, nodes: readonly NodeHandle[]): Promise<StreamPlacement[]> {
  const names = await serverNamesOf(nodes);
  const nodeOf = (server: string) => names.get(server) ?? server;
  const nc = await connect({ ...natsConnectionOptions(access, { name: "gauntlet-blast-radius" }), maxReconnectAttempts: 0 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    const placement: StreamPlacement[] = [];
    for await (const info of jsm.streams.list()) {
      const cluster = info.cluster;
      const replicas = cluster?.replicas ?? [];
      const leader = cluster?.leader ? nodeOf(cluster.leader) : undefined;
      const known = [...(leader ? [leader] : []), ...replicas.map((replica) => nodeOf(replica.name))];
      // A stream between leaders lists fewer peers than it has: the missing ones count as down.
      const unknown = Array.from(
        { length: Math.max(0, info.config.num_replicas - known.length) },
        (_, index) => `(peer ${index + 1} unknown)`,
      );
      placement.push({
        stream: info.config.name,
        leader,
        peers: [...known, ...unknown],
        offline: [...replicas.filter((replica) => replica.offline).map((replica) => nodeOf(replica.name)), ...unknown],
      });
    }
    return placement;
  } finally {
    await nc.close();
  }
}
