import { HistoryRecorder, type ProcessId } from "../../../harness/history/index.ts";

const MS = 1_000_000n;

/**
 * Hand-made histories written as a script: the real recorder with a clock the script moves, so
 * each case states exactly when things happened (times in milliseconds).
 */
export class ScriptedHistory {
  #now = 0n;
  readonly recorder = new HistoryRecorder({ clock: () => this.#now });

  at(ms: number): this {
    this.#now = BigInt(Math.round(ms * 1000)) * (MS / 1000n);
    return this;
  }

  /** One operation invoked at `from` and completed at `to`. */
  op(
    process: ProcessId,
    f: string,
    value: unknown,
    outcome: { type: "ok"; result?: unknown } | { type: "fail" | "info"; class?: string } | { type: "open" },
    from: number,
    to: number = from + 1,
  ): this {
    this.at(from);
    const pending = this.recorder.invoke(process, f, value);
    if (outcome.type === "open") return this;
    this.at(to);
    if (outcome.type === "ok") pending.ok(outcome.result === undefined ? value : outcome.result);
    else if (outcome.type === "fail") pending.fail({ class: outcome.class ?? "no-responders", message: "scripted" });
    else pending.info({ class: outcome.class ?? "timeout", message: "scripted" });
    return this;
  }

  nemesis(phase: "start" | "stop", fault: string, atMs: number, target?: unknown): this {
    this.at(atMs);
    this.recorder.nemesis(phase, fault, target);
    return this;
  }

  probe(f: string, value: unknown, atMs: number): this {
    this.at(atMs);
    this.recorder.probe(f, value);
    return this;
  }

  get entries() {
    return this.recorder.entries;
  }
}

export const ms = (value: number): number => value * 1_000_000;
