import type { ClusterSnapshot } from "../record/index.ts";
import { assessCluster } from "./cluster-assessment.ts";
import { snapshotCluster } from "./node-snapshot.ts";

/** The cluster's state for the run record: nodes up, meta leader, streams with their current replicas. */
export async function recordClusterState(monitoringUrls: readonly string[], nodes: number): Promise<ClusterSnapshot> {
  const snapshots = await snapshotCluster(monitoringUrls, { streams: true });
  const assessment = assessCluster(snapshots, { nodes });
  return {
    at: new Date().toISOString(),
    nodes: snapshots.map((snapshot) =>
      snapshot.reachable
        ? { name: snapshot.serverName, up: true, jetstream: snapshot.jetstream, version: snapshot.version }
        : { name: snapshot.url, up: false },
    ),
    metaLeader: assessment.metaLeader ?? null,
    streams: assessment.streams.map((stream) => ({
      name: stream.name,
      replicas: stream.replicas,
      current: (stream.leader ? 1 : 0) + stream.followers.filter((follower) => follower.current && !follower.offline).length,
      leader: stream.leader ?? null,
      messages: stream.messages,
    })),
  };
}
