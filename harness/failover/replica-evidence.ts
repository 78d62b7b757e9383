import type { JetStreamManager } from "@nats-io/jetstream";
import type { ReplicaEvidence, ReplicaState } from "../checkers/index.ts";
import { type History, PROBE_PROCESS } from "../history/index.ts";
import { getMonitoring } from "../probes/index.ts";

/** At most this many unread sequences are read back from the stream leader (the rest stay checked by replica state only). */
const MAX_LEADER_READS = 20_000;
const PARALLEL_READS = 32;

interface StreamDetail {
  readonly name: string;
  readonly state?: { readonly messages?: number; readonly first_seq?: number; readonly last_seq?: number };
}

interface Jsz {
  readonly account_details?: readonly { readonly stream_detail?: readonly StreamDetail[] }[];
}

/** Sequences of `stream` whose publish was acknowledged and whose message id no read returned. */
export function unreadSequences(history: History, stream: string, publishF: readonly string[]): number[] {
  const invoked = new Map<number, string>();
  const acked = new Map<string, number>();
  const read = new Set<string>();
  for (const entry of history) {
    if (entry.process === PROBE_PROCESS) continue;
    const value = entry.value as { id?: unknown; stream?: unknown; seq?: unknown } | undefined;
    if (publishF.includes(entry.f)) {
      if (entry.type === "invoke" && entry.op !== undefined && typeof value?.id === "string") invoked.set(entry.op, value.id);
      else if (entry.type === "ok" && entry.op !== undefined && value?.stream === stream && typeof value.seq === "number") {
        const id = invoked.get(entry.op);
        if (id !== undefined && !acked.has(id)) acked.set(id, value.seq);
      }
    } else if (entry.f === "read" && entry.type === "ok" && Array.isArray(entry.value)) {
      for (const message of entry.value as { id?: unknown }[]) if (typeof message?.id === "string") read.add(message.id);
    }
  }
  return [...acked].filter(([id]) => !read.has(id)).map(([, seq]) => seq);
}

async function replicaState(url: string, stream: string): Promise<ReplicaState | undefined> {
  try {
    const [varz, jsz] = await Promise.all([
      getMonitoring<{ server_name: string }>(url, "/varz", 2_000),
      getMonitoring<Jsz>(url, "/jsz?accounts=true&streams=true", 2_000),
    ]);
    const detail = (jsz.account_details ?? []).flatMap((account) => account.stream_detail ?? []).find((s) => s.name === stream);
    if (!detail) return undefined;
    return {
      server: varz.server_name,
      reachable: true,
      firstSeq: detail.state?.first_seq ?? 0,
      lastSeq: detail.state?.last_seq ?? 0,
      messages: detail.state?.messages ?? 0,
    };
  } catch {
    return { server: url, reachable: false, firstSeq: 0, lastSeq: 0, messages: 0 };
  }
}

/**
 * Where the unread messages are: every server's own state of the stream (its `/jsz`), and for each
 * unread sequence the message id the stream leader returns for it (a message get, answered by the
 * leader), so the queue checker calls a message lost only when no replica holds it.
 */
export async function collectReplicaEvidence(
  jsm: JetStreamManager,
  monitoringUrls: readonly string[],
  stream: string,
  unread: readonly number[],
): Promise<ReplicaEvidence> {
  const states = await Promise.all(monitoringUrls.map((url) => replicaState(url, stream)));
  const leader = await jsm.streams
    .info(stream)
    .then((info) => info.cluster?.leader ?? null)
    .catch(() => null);
  const leaderReads: { seq: number; id: string | null }[] = [];
  const wanted = [...unread].sort((a, b) => a - b).slice(0, MAX_LEADER_READS);
  for (let start = 0; start < wanted.length; start += PARALLEL_READS) {
    await Promise.all(
      wanted.slice(start, start + PARALLEL_READS).map(async (seq) => {
        // null: the leader has nothing at that sequence; an error (a timeout) tells nothing, so no read is kept.
        const message = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
        if (message !== undefined) leaderReads.push({ seq, id: message?.header.get("Nats-Msg-Id") || null });
      }),
    );
  }
  return {
    stream,
    leader,
    replicas: states.filter((state): state is ReplicaState => state !== undefined),
    leaderReads: leaderReads.sort((a, b) => a.seq - b.seq),
  };
}

/** Every node's `/jsz` (streams, config, Raft) and `/routez` at one moment: evidence for the run record. */
export async function snapshotNodes(monitoringUrls: readonly string[]): Promise<{ at: string; nodes: unknown[] }> {
  const at = new Date().toISOString();
  const nodes = await Promise.all(
    monitoringUrls.map(async (url) => {
      const get = (path: string) =>
        getMonitoring<unknown>(url, path, 2_000).catch((error: unknown) => ({ error: (error as Error).message }));
      const [jsz, routez] = await Promise.all([get("/jsz?accounts=true&streams=true&config=true&raft=true"), get("/routez")]);
      return { url, jsz, routez };
    }),
  );
  return { at, nodes };
}
