import { readFileSync } from "node:fs";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { ReachableSnapshot, StreamView } from "../../../harness/probes/index.ts";
import { snapshotCluster, streamsFromLeaders } from "../../../harness/probes/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";

/** Creates an R`replicas` file stream through `servers`, retrying while JetStream settles after start. */
export async function createStream(servers: readonly string[], name: string, replicas: number): Promise<void> {
  const nc = await connect({ servers: [...servers] });
  try {
    const jsm = await jetstreamManager(nc);
    await waitUntil(
      async () => {
        await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`], num_replicas: replicas });
        return true;
      },
      { timeoutMs: 20_000, intervalMs: 250, what: `stream ${name} to be created` },
    );
  } finally {
    await nc.close();
  }
}

/** The stream as its leader reports it in /jsz, straight from the probes. */
export async function streamView(monitoringUrls: readonly string[], stream: string): Promise<StreamView | undefined> {
  const snapshots = await snapshotCluster(monitoringUrls, { streams: true, timeoutMs: 1_000 });
  return streamsFromLeaders(snapshots.filter((s): s is ReachableSnapshot => s.reachable)).find((view) => view.name === stream);
}

/** Waits until `stream` has a leader and every replica is current. */
export function waitForStreamLeader(monitoringUrls: readonly string[], stream: string, timeoutMs = 30_000): Promise<StreamView> {
  return waitUntil(
    async () => {
      const view = await streamView(monitoringUrls, stream);
      if (view?.leader && view.followers.every((f) => f.current && !f.offline)) return view;
      throw new Error(`stream ${stream}: ${view ? `leader ${view.leader ?? "none"}` : "not reported"}`);
    },
    { timeoutMs, intervalMs: 200, what: `a leader of ${stream} with every replica current` },
  );
}

/** Waits until some reachable node reports `stream` led by a node other than `previous`. */
export function waitForNewStreamLeader(
  monitoringUrls: readonly string[],
  stream: string,
  previous: string,
  timeoutMs = 30_000,
): Promise<string> {
  return waitUntil(
    async () => {
      const leader = (await streamView(monitoringUrls, stream))?.leader;
      if (leader && leader !== previous) return leader;
      throw new Error(`stream ${stream}: leader ${leader ?? "none"}`);
    },
    { timeoutMs, intervalMs: 200, what: `a new leader of ${stream} (not ${previous})` },
  );
}

/** Publishes `count` messages to `subject` through JetStream and waits for each ack. */
export async function publish(servers: readonly string[], subject: string, count: number): Promise<void> {
  const nc = await connect({ servers: [...servers] });
  try {
    const js = jetstream(nc);
    for (let i = 0; i < count; i++) await js.publish(subject, `m${i}`);
  } finally {
    await nc.close();
  }
}

/** Process state from /proc: "T" when stopped by SIGSTOP, "S"/"R" when running. */
export function processState(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
  } catch {
    return undefined;
  }
}
