import { PROBE } from "../history/index.ts";

/** The probe entry (f `replica-evidence`) a run leaves after its final reads: where each stream's messages are. */
export const REPLICA_EVIDENCE_F = PROBE.replicaEvidence;

/** One server hosting a replica of the stream, as its own monitoring endpoint (`/jsz?streams=true`) reported it. */
export interface ReplicaState {
  readonly server: string;
  /** False when the server did not answer: it counts neither as holding nor as missing a message. */
  readonly reachable: boolean;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly messages: number;
}

/**
 * Where a stream's messages are after the final reads: every replica's own state, and what the
 * stream leader returns for each acknowledged sequence nobody read (a message get by sequence:
 * the message id it holds there, or null when it has none).
 */
export interface ReplicaEvidence {
  readonly stream: string;
  readonly leader: string | null;
  readonly replicas: readonly ReplicaState[];
  readonly leaderReads: readonly { readonly seq: number; readonly id: string | null }[];
}

/**
 * Where an acknowledged message that no read returned is: `lost` (on no replica), `lost-on-minority`
 * (some replicas hold it and some do not: the replicas diverge), `unreadable` (every replica that
 * answered holds it: stored, just not served), or `unverified` (no sequence or no evidence).
 */
export type UnreadClass = "lost" | "lost-on-minority" | "unreadable" | "unverified";

export interface UnreadPlacement {
  readonly class: UnreadClass;
  readonly heldBy: readonly string[];
  readonly missingOn: readonly string[];
}

/**
 * Places one unread message (acknowledged as `seq` of the stream, with message id `id`). The
 * leader's copy is checked by content (the id it returns at that sequence); a follower holds the
 * message when its state covers the sequence, unless the leader holds another message there: then
 * the sequence was reused (the stream came back empty, e.g. memory storage after a restart) and
 * coverage says nothing.
 */
export function placeUnread(evidence: ReplicaEvidence | undefined, id: string, seq: number | undefined): UnreadPlacement {
  if (!evidence || seq === undefined) return { class: "unverified", heldBy: [], missingOn: [] };
  const leaderRead = evidence.leaderReads.find((read) => read.seq === seq);
  const reused = leaderRead !== undefined && leaderRead.id !== null && leaderRead.id !== id;
  const heldBy: string[] = [];
  const missingOn: string[] = [];
  for (const replica of evidence.replicas) {
    if (!replica.reachable) continue;
    const covers = replica.messages > 0 && replica.firstSeq <= seq && seq <= replica.lastSeq;
    const holds = replica.server === evidence.leader && leaderRead ? leaderRead.id === id : covers && !reused;
    (holds ? heldBy : missingOn).push(replica.server);
  }
  if (heldBy.length === 0 && missingOn.length === 0) return { class: "unverified", heldBy, missingOn };
  const placed: UnreadClass = heldBy.length === 0 ? "lost" : missingOn.length === 0 ? "unreadable" : "lost-on-minority";
  return { class: placed, heldBy, missingOn };
}
