import { HistoryError } from "./errors.ts";
import { PROBE } from "./operation-names.ts";
import { type ErrorInfo, type History, NEMESIS_PROCESS, type NemesisValue, PROBE_PROCESS } from "./schema.ts";

/** An invocation joined with its completion. Never completed → `type: "info"`, `completeTime` undefined. */
export interface Operation {
  readonly process: string | number;
  readonly f: string;
  readonly type: "ok" | "fail" | "info";
  readonly invokeIndex: number;
  readonly invokeTime: number;
  readonly completeTime: number | undefined;
  /** Value given at invocation. */
  readonly value: unknown;
  /** Value recorded with the completion (what a read returned, what a write was acknowledged with). */
  readonly result: unknown;
  readonly error: ErrorInfo | undefined;
}

interface OpenInvocation {
  readonly slot: number;
  readonly process: string | number;
  readonly f: string;
  readonly invokeIndex: number;
  readonly invokeTime: number;
  readonly value: unknown;
}

/**
 * Joins client invocations with their completions, in invocation order. Entries carrying an `op`
 * id pair by it; entries without one pair by process (one outstanding operation per process, as
 * in Jepsen). Nemesis and probe entries are not client operations and are left out.
 */
export function pairOperations(history: History): Operation[] {
  const operations: (Operation | OpenInvocation)[] = [];
  const openByOp = new Map<number, OpenInvocation>();
  const openByProcess = new Map<string | number, OpenInvocation>();
  for (const entry of history) {
    if (entry.process === NEMESIS_PROCESS || entry.process === PROBE_PROCESS) continue;
    if (entry.type === "invoke") {
      const open: OpenInvocation = {
        slot: operations.length,
        process: entry.process,
        f: entry.f,
        invokeIndex: entry.index,
        invokeTime: entry.time,
        value: entry.value,
      };
      operations.push(open);
      if (entry.op !== undefined) openByOp.set(entry.op, open);
      else openByProcess.set(entry.process, open);
      continue;
    }
    const open = entry.op !== undefined ? openByOp.get(entry.op) : openByProcess.get(entry.process);
    if (!open) {
      throw new HistoryError(
        `history entry ${entry.index}: ${entry.type} of ${entry.f} by process ${entry.process} has no open invocation`,
      );
    }
    if (entry.op !== undefined) openByOp.delete(entry.op);
    else openByProcess.delete(entry.process);
    operations[open.slot] = {
      process: open.process,
      f: open.f,
      type: entry.type,
      invokeIndex: open.invokeIndex,
      invokeTime: open.invokeTime,
      completeTime: entry.time,
      value: open.value,
      result: entry.value,
      error: entry.error,
    };
  }
  return operations.map((operation) =>
    "slot" in operation
      ? {
          process: operation.process,
          f: operation.f,
          type: "info" as const,
          invokeIndex: operation.invokeIndex,
          invokeTime: operation.invokeTime,
          completeTime: undefined,
          value: operation.value,
          result: undefined,
          error: { class: "never-completed", message: "no completion recorded" },
        }
      : operation,
  );
}

/** A fault from its nemesis `start` to its `stop` (heal). Never healed → `stop` is the history's last time. */
export interface FaultWindow {
  readonly fault: string;
  readonly target: unknown;
  readonly start: number;
  readonly stop: number;
  readonly healed: boolean;
}

/** Fault windows from nemesis entries, paired by fault and target, in start order. */
export function faultWindows(history: History): FaultWindow[] {
  const windows: FaultWindow[] = [];
  const open = new Map<string, { fault: string; target: unknown; start: number }>();
  let end = 0;
  for (const entry of history) {
    if (entry.time > end) end = entry.time;
    if (entry.process !== NEMESIS_PROCESS) continue;
    const value = entry.value as NemesisValue;
    const key = `${value.fault}\u0000${JSON.stringify(value.target ?? null)}`;
    if (entry.f === "start") {
      if (!open.has(key)) open.set(key, { fault: value.fault, target: value.target, start: entry.time });
      continue;
    }
    const started = open.get(key);
    if (!started) throw new HistoryError(`history entry ${entry.index}: nemesis stop of ${value.fault} without a start`);
    open.delete(key);
    windows.push({ ...started, stop: entry.time, healed: true });
  }
  for (const started of open.values()) windows.push({ ...started, stop: end, healed: false });
  return windows.sort((a, b) => a.start - b.start);
}

/** True when `time` falls inside any of `windows`. */
export function insideAny(windows: readonly FaultWindow[], time: number): boolean {
  for (const window of windows) if (time >= window.start && time <= window.stop) return true;
  return false;
}

/**
 * Fault windows as the clients felt them: a window opens when the nemesis was asked to inject
 * (the runner's `inject` probe), not when the injection returned: a lame-duck stop acts for
 * seconds before `stop` returns.
 */
export function effectiveWindows(history: History): FaultWindow[] {
  const asked = history.filter((entry) => entry.process === PROBE_PROCESS && entry.f === PROBE.inject).map((entry) => entry.time);
  return faultWindows(history).map((window) => {
    const start = asked.filter((time) => time <= window.start).at(-1);
    return start === undefined ? window : { ...window, start };
  });
}
