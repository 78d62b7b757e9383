import { type History, OP, type Operation, pairOperations } from "../history/index.ts";
import { CheckerError } from "./errors.ts";
import { type CheckResult, examples, type Validity } from "./result.ts";

export interface KvRegisterCheckerOptions {
  /** Operation names that write (default `["kv-put"]`). Invoke `{key, value, bucket?}`; ok `{revision, ...}`. */
  readonly putF?: readonly string[];
  /** Operation names that read (default `["kv-get"]`). Invoke `{key, bucket?}`; ok `{value, revision}` (absent key: value null, revision 0). */
  readonly getF?: readonly string[];
  readonly maxExamples?: number;
}

export interface KvOpRef {
  readonly process: string | number;
  readonly f: string;
  readonly invokeIndex: number;
  readonly invokeTime: number;
  readonly completeTime: number | undefined;
  readonly key: string;
  readonly value: unknown;
  readonly revision: number;
}

export type KvViolationKind =
  /** A read returned an older revision than a write confirmed before the read began. */
  | "stale-read"
  /** One reader saw a key's revision go backwards. */
  | "read-regress"
  /** A confirmed write got a revision not above a write confirmed before it began. */
  | "write-regress"
  /** Two confirmed writes in one bucket got the same revision. */
  | "duplicate-revision"
  /** A read returned, at a revision a confirmed write got, a value other than that write's. */
  | "value-mismatch"
  /** A read returned a value no write ever tried to put at that key. */
  | "unknown-value";

export interface KvViolation {
  readonly kind: KvViolationKind;
  readonly op: KvOpRef;
  /** The earlier operation it conflicts with, when there is one. */
  readonly against?: KvOpRef;
}

export interface KvRegisterDetails {
  readonly violations: { readonly total: number; readonly examples: readonly KvViolation[] };
}

const KINDS: readonly KvViolationKind[] = [
  "stale-read",
  "read-regress",
  "write-regress",
  "duplicate-revision",
  "value-mismatch",
  "unknown-value",
];

interface Target {
  readonly bucket: string;
  readonly key: string;
}

function targetOf(operation: Operation, checker: string): Target {
  const value = operation.value as { key?: unknown; bucket?: unknown } | null | undefined;
  if (!value || typeof value.key !== "string" || (value.bucket !== undefined && typeof value.bucket !== "string")) {
    throw CheckerError.badValue(checker, operation.invokeIndex, operation.f, "invoke value must be {key: string, bucket?: string}");
  }
  return { bucket: value.bucket ?? "", key: value.key };
}

function revisionOf(operation: Operation): number {
  const result = operation.result as { revision?: unknown } | null | undefined;
  const revision = result?.revision;
  if (typeof revision !== "number" || !Number.isInteger(revision) || revision < 0) {
    throw CheckerError.badValue("kv-register", operation.invokeIndex, operation.f, "ok value must carry an integer revision >= 0");
  }
  return revision;
}

function refOf(operation: Operation, target: Target, value: unknown, revision: number): KvOpRef {
  return {
    process: operation.process,
    f: operation.f,
    invokeIndex: operation.invokeIndex,
    invokeTime: operation.invokeTime,
    completeTime: operation.completeTime,
    key: target.bucket === "" ? target.key : `${target.bucket}/${target.key}`,
    value,
    revision,
  };
}

type TimedEvent = { readonly time: number; readonly order: number; readonly kind: "invoke" | "complete"; readonly operation: Operation };

/**
 * KV register checker: per key, confirmed writes get increasing revisions in real-time order,
 * each reader's view never goes backwards, and no read returns a revision older than a write
 * that was confirmed (ok) before the read was invoked (a stale read).
 */
export function checkKvRegister(history: History, options: KvRegisterCheckerOptions = {}): CheckResult<KvRegisterDetails> {
  const putF = new Set(options.putF ?? [OP.kvPut]);
  const getF = new Set(options.getF ?? [OP.kvGet]);
  const operations = pairOperations(history).filter((operation) => putF.has(operation.f) || getF.has(operation.f));

  const written = new Map<string, Set<string>>();
  const writeAtRevision = new Map<string, KvOpRef>();
  const events: TimedEvent[] = [];
  for (const operation of operations) {
    const target = targetOf(operation, "kv-register");
    const targetKey = `${target.bucket}\u0000${target.key}`;
    if (putF.has(operation.f)) {
      const values = written.get(targetKey) ?? new Set<string>();
      written.set(targetKey, values);
      values.add(JSON.stringify((operation.value as { value?: unknown }).value ?? null));
    }
    events.push({ time: operation.invokeTime, order: operation.invokeIndex * 2, kind: "invoke", operation });
    if (operation.type === "ok" && operation.completeTime !== undefined) {
      events.push({ time: operation.completeTime, order: operation.invokeIndex * 2 + 1, kind: "complete", operation });
    }
  }
  events.sort((a, b) => a.time - b.time || a.order - b.order);

  const violations: KvViolation[] = [];
  const confirmed = new Map<string, KvOpRef>();
  const confirmedAtInvoke = new Map<Operation, KvOpRef>();
  const lastReadBy = new Map<string, KvOpRef>();
  const reads: { ref: KvOpRef; targetKey: string; bucket: string }[] = [];
  let confirmedWrites = 0;
  let confirmedReads = 0;
  for (const { kind, operation } of events) {
    const target = targetOf(operation, "kv-register");
    const targetKey = `${target.bucket}\u0000${target.key}`;
    if (kind === "invoke") {
      const latest = confirmed.get(targetKey);
      if (latest) confirmedAtInvoke.set(operation, latest);
      continue;
    }
    const revision = revisionOf(operation);
    const before = confirmedAtInvoke.get(operation);
    if (putF.has(operation.f)) {
      confirmedWrites += 1;
      const ref = refOf(operation, target, (operation.value as { value?: unknown }).value ?? null, revision);
      if (before && revision <= before.revision) violations.push({ kind: "write-regress", op: ref, against: before });
      const revisionKey = `${target.bucket}\u0000${revision}`;
      const same = writeAtRevision.get(revisionKey);
      if (same) violations.push({ kind: "duplicate-revision", op: ref, against: same });
      else writeAtRevision.set(revisionKey, ref);
      const latest = confirmed.get(targetKey);
      if (!latest || revision > latest.revision) confirmed.set(targetKey, ref);
      continue;
    }
    confirmedReads += 1;
    const ref = refOf(operation, target, (operation.result as { value?: unknown }).value ?? null, revision);
    if (before && revision < before.revision) violations.push({ kind: "stale-read", op: ref, against: before });
    const readerKey = `${operation.process}\u0000${targetKey}`;
    const previous = lastReadBy.get(readerKey);
    if (previous && revision < previous.revision) violations.push({ kind: "read-regress", op: ref, against: previous });
    if (!previous || revision >= previous.revision) lastReadBy.set(readerKey, ref);
    reads.push({ ref, targetKey, bucket: target.bucket });
  }

  for (const { ref, targetKey, bucket } of reads) {
    if (ref.revision === 0 || ref.value === null) continue;
    const writer = writeAtRevision.get(`${bucket}\u0000${ref.revision}`);
    if (writer && JSON.stringify(writer.value) !== JSON.stringify(ref.value)) {
      violations.push({ kind: "value-mismatch", op: ref, against: writer });
    } else if (!written.get(targetKey)?.has(JSON.stringify(ref.value))) {
      violations.push({ kind: "unknown-value", op: ref });
    }
  }

  const counts: Record<string, number> = { confirmedWrites, confirmedReads, violations: violations.length };
  for (const kind of KINDS) counts[kind] = violations.filter((violation) => violation.kind === kind).length;
  let valid: Validity;
  let reason: string;
  if (violations.length > 0) {
    valid = false;
    reason = KINDS.filter((kind) => (counts[kind] ?? 0) > 0)
      .map((kind) => `${counts[kind]} ${kind}`)
      .join(", ");
  } else if (confirmedReads === 0) {
    valid = "unknown";
    reason = "no confirmed reads in the history";
  } else {
    valid = true;
    reason = `${confirmedReads} reads and ${confirmedWrites} writes consistent: revisions monotonic, no stale reads`;
  }
  return { checker: "kv-register", valid, reason, counts, details: { violations: examples(violations, options.maxExamples ?? 20) } };
}
