import { readFileSync } from "node:fs";
import type { HistoryRecorder } from "../../../harness/history/index.ts";
import type { StartedLocalCluster } from "../../../harness/providers/local/index.ts";

export function onlyNode(cluster: StartedLocalCluster) {
  const node = cluster.nodes[0];
  if (!node) throw new Error("cluster has no node");
  return node;
}

/** SIGSTOP is delivered asynchronously: wait until the kernel reports the process stopped (Linux /proc). */
export async function untilStopped(pid: number | undefined): Promise<void> {
  if (pid === undefined) throw new Error("node has no process to pause");
  for (let attempt = 0; attempt < 200; attempt++) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("T")) return;
    await sleep(5);
  }
  throw new Error(`nats-server ${pid} did not stop after SIGSTOP`);
}

/** Restarts the cluster's only node (graceful stop, start on the same ports and data), recorded as a nemesis window. */
export async function restartNode(cluster: StartedLocalCluster, recorder: HistoryRecorder): Promise<void> {
  const node = onlyNode(cluster);
  recorder.nemesis("start", "restart", { node: node.name });
  await node.stop();
  await node.start();
  recorder.nemesis("stop", "restart", { node: node.name });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
