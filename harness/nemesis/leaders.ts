import { type ReachableSnapshot, snapshotCluster, streamsFromLeaders } from "../probes/index.ts";
import type { NodeHandle } from "../providers/stack.ts";
import { NemesisError, type NemesisTarget } from "./target.ts";

async function reachable(target: NemesisTarget, streams: boolean): Promise<ReachableSnapshot[]> {
  const snapshots = await snapshotCluster(target.monitoringUrls, { streams, timeoutMs: 1_500 });
  return snapshots.filter((snapshot): snapshot is ReachableSnapshot => snapshot.reachable);
}

/** The node whose server name is `serverName`, matched through the monitoring URL that reported it. */
function nodeForServer(target: NemesisTarget, snapshots: readonly ReachableSnapshot[], serverName: string): NodeHandle {
  const snapshot = snapshots.find((candidate) => candidate.serverName === serverName);
  const node =
    (snapshot && target.nodes.find((candidate) => candidate.monitoringUrl === snapshot.url)) ??
    target.nodes.find((candidate) => candidate.name === serverName);
  if (!node) throw NemesisError.noLeader(serverName, `server ${serverName} is not one of the target's nodes`);
  return node;
}

/** The JetStream meta leader, as the reachable nodes agree on it in `/jsz`. */
export async function findMetaLeader(target: NemesisTarget): Promise<NodeHandle> {
  const snapshots = await reachable(target, false);
  const views = new Set(snapshots.map((snapshot) => snapshot.metaLeader));
  const [leader] = views;
  if (views.size !== 1 || !leader) {
    const detail = snapshots.map((snapshot) => `${snapshot.serverName}→${snapshot.metaLeader ?? "none"}`).join(", ");
    throw NemesisError.noLeader("meta", `nodes disagree or elect: ${detail || "no node reachable"}`);
  }
  return nodeForServer(target, snapshots, leader);
}

/** The leader of `stream`, from `/jsz?accounts=true&streams=true`. */
export async function findStreamLeader(target: NemesisTarget, stream: string): Promise<NodeHandle> {
  const snapshots = await reachable(target, true);
  const view = streamsFromLeaders(snapshots).find((candidate) => candidate.name === stream);
  if (!view) throw NemesisError.noLeader(`stream ${stream}`, "no reachable node reports this stream");
  const leader =
    view.leader ?? (view.replicas === 1 ? snapshots.find((s) => s.streams.some((v) => v.name === stream))?.serverName : undefined);
  if (!leader) throw NemesisError.noLeader(`stream ${stream}`, "the stream has no leader right now");
  return nodeForServer(target, snapshots, leader);
}
