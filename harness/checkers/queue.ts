import { type History, NEMESIS_PROCESS, OP, PROBE_PROCESS } from "../history/index.ts";
import { CheckerError } from "./errors.ts";
import { placeUnread, REPLICA_EVIDENCE_F, type ReplicaEvidence } from "./replica-evidence.ts";
import { type CheckResult, examples, type Validity } from "./result.ts";

export interface QueueCheckerOptions {
  /** Operation names that publish (default `["publish"]`). Invoke value: `id` or `{id, stream?}`. */
  readonly publishF?: readonly string[];
  /** Operation names that read (default `["read"]`). Ok value: `id`, `{id, stream?}` or an array of those. */
  readonly readF?: readonly string[];
  /** Report per-publisher reordering (default true). */
  readonly checkOrder?: boolean;
  /** How many examples each class lists in `details` (default 20). */
  readonly maxExamples?: number;
}

export type MessageId = string | number;

export interface MessageRef {
  readonly stream: string;
  readonly id: MessageId;
}

export interface QueueDetails {
  /** Acknowledged, never read, and on no replica (or not checkable: see `counts.lostUnverified`). */
  readonly lost: {
    readonly prefix: { readonly total: number; readonly examples: readonly MessageRef[] };
    readonly middle: { readonly total: number; readonly examples: readonly MessageRef[] };
    readonly postfix: { readonly total: number; readonly examples: readonly MessageRef[] };
  };
  /** Acknowledged, never read, held by some replicas and missing on others: the replicas diverge. */
  readonly lostOnMinority: { readonly total: number; readonly examples: readonly PlacedRef[] };
  /** Acknowledged, never read, yet on every replica that answered: stored, not served. */
  readonly unreadable: { readonly total: number; readonly examples: readonly PlacedRef[] };
  readonly duplicated: { readonly total: number; readonly examples: readonly (MessageRef & { readonly reads: number })[] };
  readonly unexpected: { readonly total: number; readonly examples: readonly (MessageRef & { readonly published: "never" | "failed" })[] };
  readonly recovered: { readonly total: number; readonly examples: readonly MessageRef[] };
  readonly unknownNeverRead: { readonly total: number; readonly examples: readonly MessageRef[] };
  readonly reordered: {
    readonly total: number;
    readonly examples: readonly (MessageRef & { readonly publisher: string | number; readonly readAfter: MessageId })[];
  };
}

export interface PlacedRef extends MessageRef {
  readonly seq: number | undefined;
  readonly heldBy: readonly string[];
  readonly missingOn: readonly string[];
}

const NONE = 0;
const FAILED = 1;
const UNKNOWN = 2;
const ACKED = 3;

/**
 * Message state in parallel arrays indexed by a dense message number: one Map lookup per
 * entry and no per-message objects, so a history of millions of operations checks in one pass.
 */
class MessageTable {
  readonly index = new Map<MessageId, number>();
  readonly streams: string[] = [];
  readonly ids: MessageId[] = [];
  status: number[] = [];
  hadUnknown: boolean[] = [];
  publishRank: number[] = [];
  ackRank: number[] = [];
  ackSeq: number[] = [];
  publisher: (string | number)[] = [];
  reads: number[] = [];

  lookup(stream: string, id: MessageId, create: boolean): number {
    const key = stream === "" ? id : `${stream}\u0000${id}`;
    let slot = this.index.get(key);
    if (slot === undefined) {
      if (!create) return -1;
      slot = this.ids.length;
      this.index.set(key, slot);
      this.streams.push(stream);
      this.ids.push(id);
      this.status.push(NONE);
      this.hadUnknown.push(false);
      this.publishRank.push(-1);
      this.ackRank.push(-1);
      this.ackSeq.push(-1);
      this.publisher.push("");
      this.reads.push(0);
    }
    return slot;
  }

  ref(slot: number): MessageRef {
    return { stream: this.streams[slot] as string, id: this.ids[slot] as MessageId };
  }
}

function messageOf(value: unknown, index: number, f: string): MessageRef {
  if (typeof value === "string" || typeof value === "number") return { stream: "", id: value };
  if (value !== null && typeof value === "object" && "id" in value) {
    const { id, stream } = value as { id: unknown; stream?: unknown };
    if ((typeof id === "string" || typeof id === "number") && (stream === undefined || typeof stream === "string")) {
      return { stream: stream ?? "", id };
    }
  }
  throw CheckerError.badValue("queue", index, f, "a message is an id (string or number) or {id, stream?}");
}

/**
 * Jepsen's queue checker for JetStream: every acknowledged publish must be read exactly once.
 * Classes: lost (acked, never read; prefix/middle/postfix by publish order relative to what was
 * read), duplicated (read more than once), unexpected (read but never published, or published
 * with a definite failure), recovered (a publish attempt timed out — info — and the message was
 * read: neither lost nor duplicated by itself), unknown-never-read (not a failure) and
 * reordered (read before a message its publisher had acknowledged earlier, in one stream).
 * An acknowledged message nobody read is only called lost when it is on no replica: with a
 * `replica-evidence` probe entry for its stream (see `ReplicaEvidence`) and the sequence its ack
 * named, it is placed as lost, lost on a minority (replicas diverge) or unreadable (stored on
 * every replica, not served); without evidence it stays lost, counted as unverified.
 */
export function checkQueue(history: History, options: QueueCheckerOptions = {}): CheckResult<QueueDetails> {
  const publishF = new Set(options.publishF ?? [OP.publish]);
  const readF = new Set(options.readF ?? [OP.read]);
  const limit = options.maxExamples ?? 20;
  const table = new MessageTable();
  const pendingByOp = new Map<number, number>();
  const pendingByProcess = new Map<string | number, number>();
  const readOrder: number[] = [];
  let publishRank = 0;
  let ackRank = 0;
  let totalReads = 0;
  const evidence = new Map<string, ReplicaEvidence>();

  for (const entry of history) {
    const { f, type } = entry;
    if (f === REPLICA_EVIDENCE_F && entry.process === PROBE_PROCESS) {
      const value = entry.value as ReplicaEvidence;
      evidence.set(value.stream, value);
      continue;
    }
    const isPublish = publishF.has(f);
    if (!isPublish && !readF.has(f)) continue;
    if (entry.process === NEMESIS_PROCESS || entry.process === PROBE_PROCESS) continue;
    if (isPublish) {
      if (type === "invoke") {
        const message = messageOf(entry.value, entry.index, f);
        const slot = table.lookup(message.stream, message.id, true);
        if (table.publishRank[slot] === -1) table.publishRank[slot] = publishRank++;
        if (table.status[slot] !== ACKED) table.status[slot] = UNKNOWN;
        if (entry.op !== undefined) pendingByOp.set(entry.op, slot);
        else pendingByProcess.set(entry.process, slot);
        continue;
      }
      const slot = entry.op !== undefined ? pendingByOp.get(entry.op) : pendingByProcess.get(entry.process);
      if (slot === undefined) throw CheckerError.badValue("queue", entry.index, f, "completion without an open invocation");
      if (entry.op !== undefined) pendingByOp.delete(entry.op);
      else pendingByProcess.delete(entry.process);
      if (type === "ok") {
        if (table.status[slot] !== ACKED) {
          table.status[slot] = ACKED;
          table.ackRank[slot] = ackRank++;
          table.publisher[slot] = entry.process;
          const seq = (entry.value as { seq?: unknown } | null | undefined)?.seq;
          if (typeof seq === "number") table.ackSeq[slot] = seq;
        }
      } else if (type === "info") {
        table.hadUnknown[slot] = true;
      } else if (table.status[slot] === UNKNOWN && !table.hadUnknown[slot]) {
        table.status[slot] = FAILED;
      }
      continue;
    }
    if (type !== "ok" || entry.value === undefined || entry.value === null) continue;
    const values = Array.isArray(entry.value) ? entry.value : [entry.value];
    for (const value of values) {
      const message = messageOf(value, entry.index, f);
      const slot = table.lookup(message.stream, message.id, true);
      totalReads += 1;
      const reads = (table.reads[slot] as number) + 1;
      table.reads[slot] = reads;
      if (reads === 1) readOrder.push(slot);
    }
  }
  // An attempt left open (never completed) is an unknown outcome.
  for (const slot of pendingByOp.values()) table.hadUnknown[slot] = true;
  for (const slot of pendingByProcess.values()) table.hadUnknown[slot] = true;

  const count = table.ids.length;
  const readRange = new Map<string, { first: number; last: number }>();
  for (let slot = 0; slot < count; slot++) {
    const rank = table.publishRank[slot] as number;
    if ((table.reads[slot] as number) === 0 || rank === -1) continue;
    const stream = table.streams[slot] as string;
    const range = readRange.get(stream);
    if (!range) readRange.set(stream, { first: rank, last: rank });
    else {
      if (rank < range.first) range.first = rank;
      if (rank > range.last) range.last = rank;
    }
  }

  const lostPrefix: number[] = [];
  const lostMiddle: number[] = [];
  const lostPostfix: number[] = [];
  let lostUnverified = 0;
  const lostOnMinority: PlacedRef[] = [];
  const unreadable: PlacedRef[] = [];
  const duplicated: number[] = [];
  const recovered: number[] = [];
  const unknownNeverRead: number[] = [];
  const unexpectedSlots: number[] = [];
  let attempted = 0;
  let acknowledged = 0;
  let failed = 0;
  let unknown = 0;
  let distinctRead = 0;
  for (let slot = 0; slot < count; slot++) {
    const status = table.status[slot] as number;
    const reads = table.reads[slot] as number;
    if (status !== NONE) attempted += 1;
    if (status === ACKED) acknowledged += 1;
    else if (status === FAILED) failed += 1;
    else if (status === UNKNOWN) unknown += 1;
    if (reads > 0) distinctRead += 1;
    if (reads > 1) duplicated.push(slot);
    if (reads > 0 && (status === NONE || status === FAILED)) unexpectedSlots.push(slot);
    if (status === ACKED && reads === 0) {
      const seq = table.ackSeq[slot] === -1 ? undefined : (table.ackSeq[slot] as number);
      const stream = table.streams[slot] as string;
      const placement = placeUnread(evidence.get(stream), String(table.ids[slot]), seq);
      if (placement.class === "lost-on-minority" || placement.class === "unreadable") {
        (placement.class === "unreadable" ? unreadable : lostOnMinority).push({
          ...table.ref(slot),
          seq,
          heldBy: placement.heldBy,
          missingOn: placement.missingOn,
        });
        continue;
      }
      if (placement.class === "unverified") lostUnverified += 1;
      const range = readRange.get(table.streams[slot] as string);
      const rank = table.publishRank[slot] as number;
      if (!range || rank < range.first) lostPrefix.push(slot);
      else if (rank > range.last) lostPostfix.push(slot);
      else lostMiddle.push(slot);
    }
    if (reads > 0 && table.hadUnknown[slot] && status !== NONE) recovered.push(slot);
    if (reads === 0 && status === UNKNOWN) unknownNeverRead.push(slot);
  }

  const reordered: { slot: number; after: number }[] = [];
  if (options.checkOrder !== false) {
    const highest = new Map<string, number>();
    for (const slot of readOrder) {
      const rank = table.ackRank[slot] as number;
      if (rank === -1) continue;
      const key = `${table.streams[slot]}\u0000${table.publisher[slot]}`;
      const before = highest.get(key);
      if (before === undefined || rank > (table.ackRank[before] as number)) highest.set(key, slot);
      else reordered.push({ slot, after: before });
    }
  }

  const lost = lostPrefix.length + lostMiddle.length + lostPostfix.length;
  const refs = (slots: number[]) => examples(slots, limit).examples.map((slot) => table.ref(slot));
  const counts = {
    attempted,
    acknowledged,
    failed,
    unknown,
    reads: totalReads,
    distinctRead,
    lost,
    lostPrefix: lostPrefix.length,
    lostMiddle: lostMiddle.length,
    lostPostfix: lostPostfix.length,
    lostUnverified,
    lostOnMinority: lostOnMinority.length,
    unreadable: unreadable.length,
    duplicated: duplicated.length,
    unexpected: unexpectedSlots.length,
    recovered: recovered.length,
    unknownNeverRead: unknownNeverRead.length,
    reordered: reordered.length,
  };
  const problems: string[] = [];
  if (lost > 0) {
    const where =
      lostUnverified === 0
        ? ", on no replica"
        : lostUnverified < lost
          ? `, ${lostUnverified} not checked against the replicas`
          : ", not checked against the replicas";
    problems.push(
      `${lost} acknowledged lost (prefix ${lostPrefix.length}, middle ${lostMiddle.length}, postfix ${lostPostfix.length}${where})`,
    );
  }
  const placed = (ref: PlacedRef) => `${ref.id}${ref.seq === undefined ? "" : ` (seq ${ref.seq})`} on ${ref.heldBy.join(", ")}`;
  if (lostOnMinority.length > 0) {
    const first = lostOnMinority[0] as PlacedRef;
    problems.push(
      `${lostOnMinority.length} acknowledged lost on a minority — the replicas diverge (e.g. ${placed(first)}, missing on ${first.missingOn.join(", ")})`,
    );
  }
  if (unreadable.length > 0)
    problems.push(
      `${unreadable.length} acknowledged unreadable — stored on every replica, not served to the reads (e.g. ${placed(unreadable[0] as PlacedRef)})`,
    );
  if (duplicated.length > 0) problems.push(`${duplicated.length} duplicated`);
  if (unexpectedSlots.length > 0) problems.push(`${unexpectedSlots.length} unexpected`);
  if (reordered.length > 0) problems.push(`${reordered.length} reordered`);
  let valid: Validity;
  let reason: string;
  if (problems.length > 0) {
    valid = false;
    reason = `${problems.join(", ")} of ${acknowledged} acknowledged publishes`;
  } else if (attempted === 0) {
    valid = "unknown";
    reason = "no publishes in the history";
  } else {
    valid = true;
    reason = `all ${acknowledged} acknowledged publishes read exactly once (${recovered.length} recovered, ${unknownNeverRead.length} unknown never read)`;
  }
  return {
    checker: "queue",
    valid,
    reason,
    counts,
    details: {
      lost: {
        prefix: { total: lostPrefix.length, examples: refs(lostPrefix) },
        middle: { total: lostMiddle.length, examples: refs(lostMiddle) },
        postfix: { total: lostPostfix.length, examples: refs(lostPostfix) },
      },
      lostOnMinority: examples(lostOnMinority, limit),
      unreadable: examples(unreadable, limit),
      duplicated: {
        total: duplicated.length,
        examples: refs(duplicated).map((ref, i) => ({ ...ref, reads: table.reads[duplicated[i] as number] as number })),
      },
      unexpected: {
        total: unexpectedSlots.length,
        examples: refs(unexpectedSlots).map((ref, i) => ({
          ...ref,
          published: table.status[unexpectedSlots[i] as number] === FAILED ? ("failed" as const) : ("never" as const),
        })),
      },
      recovered: { total: recovered.length, examples: refs(recovered) },
      unknownNeverRead: { total: unknownNeverRead.length, examples: refs(unknownNeverRead) },
      reordered: {
        total: reordered.length,
        examples: reordered.slice(0, limit).map(({ slot, after }) => ({
          ...table.ref(slot),
          publisher: table.publisher[slot] as string | number,
          readAfter: table.ids[after] as MessageId,
        })),
      },
    },
  };
}
