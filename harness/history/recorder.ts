import { type Classification, classifyError, type ErrorClassifier } from "./classify.ts";
import { HistoryError } from "./errors.ts";
import { type HistorySink, JsonlHistoryWriter } from "./jsonl.ts";
import { type ErrorInfo, type History, type HistoryEntry, NEMESIS_PROCESS, PROBE_PROCESS } from "./schema.ts";

export type ProcessId = string | number;

export interface RecorderOptions {
  /** Receives every entry as it is recorded (e.g. a `JsonlHistoryWriter`). */
  readonly sink?: HistorySink;
  /** Keep entries in memory for `entries` (default true). */
  readonly keepInMemory?: boolean;
  /** Monotonic clock in nanoseconds; injectable for tests. */
  readonly clock?: () => bigint;
  /**
   * Time 0 on `clock` (default: the recorder's creation). Recorders given the same start share one
   * timeline: `process.hrtime` is one monotonic clock for every thread and process of the machine.
   */
  readonly startNs?: bigint;
}

export interface RunOptions<T> {
  /** Value recorded with `ok`; default: the result, or the invoke value when the result is undefined. */
  readonly okValue?: (result: T) => unknown;
  readonly classify?: ErrorClassifier;
}

export type Outcome<T> =
  | { readonly type: "ok"; readonly result: T }
  | { readonly type: "fail" | "info"; readonly error: ErrorInfo; readonly cause: unknown };

/** An invoked operation waiting for its completion; the first completion wins, later ones are ignored. */
export class PendingOperation {
  readonly #recorder: HistoryRecorder;
  readonly #process: ProcessId;
  readonly #f: string;
  readonly #op: number;
  readonly #value: unknown;
  #done = false;

  constructor(recorder: HistoryRecorder, process: ProcessId, f: string, op: number, value: unknown) {
    this.#recorder = recorder;
    this.#process = process;
    this.#f = f;
    this.#op = op;
    this.#value = value;
  }

  get done(): boolean {
    return this.#done;
  }

  ok(value: unknown = this.#value): void {
    this.#complete("ok", value, undefined);
  }

  fail(error: ErrorInfo, value: unknown = this.#value): void {
    this.#complete("fail", value, error);
  }

  info(error: ErrorInfo, value: unknown = this.#value): void {
    this.#complete("info", value, error);
  }

  /** Records a caught error with its classification and returns that classification. */
  error(cause: unknown, classify: ErrorClassifier = classifyError): Classification {
    const classification = classify(cause, this.#f);
    this.#complete(classification.type, this.#value, classification.error);
    return classification;
  }

  #complete(type: "ok" | "fail" | "info", value: unknown, error: ErrorInfo | undefined): void {
    if (this.#done) return;
    this.#done = true;
    this.#recorder.append(type, this.#process, this.#f, value, this.#op, error);
  }
}

/**
 * Records a run's history: client operations (invoke + ok/fail/info), nemesis fault windows and
 * probe observations, in one monotonic timeline starting at the recorder's creation.
 */
export class HistoryRecorder implements AsyncDisposable {
  readonly #sink: HistorySink | undefined;
  readonly #entries: HistoryEntry[] | undefined;
  readonly #clock: () => bigint;
  readonly #start: bigint;
  #index = 0;
  #nextOp = 0;
  #closed = false;

  constructor(options: RecorderOptions = {}) {
    this.#sink = options.sink;
    this.#entries = options.keepInMemory === false ? undefined : [];
    this.#clock = options.clock ?? process.hrtime.bigint;
    this.#start = options.startNs ?? this.#clock();
  }

  /** Time 0 of this recorder's timeline on its clock: another recorder given it records in the same timeline. */
  get startNs(): bigint {
    return this.#start;
  }

  /** A recorder that streams every entry to `file` (history.jsonl) as it is recorded. */
  static async toFile(file: string, options: Omit<RecorderOptions, "sink"> = {}): Promise<HistoryRecorder> {
    return new HistoryRecorder({ ...options, sink: await JsonlHistoryWriter.open(file) });
  }

  /** Entries recorded so far (empty when `keepInMemory` is false). */
  get entries(): History {
    return this.#entries ?? [];
  }

  /** Nanoseconds since the run started. */
  now(): number {
    return Number(this.#clock() - this.#start);
  }

  invoke(process: ProcessId, f: string, value?: unknown): PendingOperation {
    const op = this.#nextOp++;
    this.append("invoke", process, f, value, op, undefined);
    return new PendingOperation(this, process, f, op, value);
  }

  /** Invokes `operation`, records its completion (errors classified) and returns the outcome; never throws for the operation's error. */
  async run<T>(
    process: ProcessId,
    f: string,
    value: unknown,
    operation: () => Promise<T>,
    options: RunOptions<T> = {},
  ): Promise<Outcome<T>> {
    const pending = this.invoke(process, f, value);
    try {
      const result = await operation();
      pending.ok(options.okValue ? options.okValue(result) : result === undefined ? value : result);
      return { type: "ok", result };
    } catch (cause) {
      const classification = pending.error(cause, options.classify);
      return { type: classification.type, error: classification.error, cause };
    }
  }

  /** Marks the start or end of a fault window in the same timeline. */
  nemesis(phase: "start" | "stop", fault: string, target?: unknown): void {
    this.append("info", NEMESIS_PROCESS, phase, target === undefined ? { fault } : { fault, target }, undefined, undefined);
  }

  /** Records a readiness observation (e.g. `srv-ping` {service, instances}, `readyz` {url, ready}). */
  probe(f: string, value: unknown): void {
    this.append("ok", PROBE_PROCESS, f, value, undefined, undefined);
  }

  /** @internal used by PendingOperation. */
  append(
    type: HistoryEntry["type"],
    process: ProcessId,
    f: string,
    value: unknown,
    op: number | undefined,
    error: ErrorInfo | undefined,
  ): void {
    if (this.#closed) throw HistoryError.closed();
    const entry: HistoryEntry = { index: this.#index++, time: this.now(), type, process, f };
    if (op !== undefined) entry.op = op;
    if (value !== undefined) entry.value = value;
    if (error !== undefined) entry.error = error;
    this.#entries?.push(entry);
    this.#sink?.write(entry);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sink?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
