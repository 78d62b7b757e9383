import { type FaultWindow, faultWindows, type History, type Operation, pairOperations } from "../history/index.ts";
import { type CheckResult, nsToMs, type Validity } from "./result.ts";

export interface AvailabilityCheckerOptions {
  /** Only these operation names count (default: every client operation). */
  readonly fs?: readonly string[];
  /** A client whose first success after a heal comes later than this fails the check. */
  readonly maxRecoveryNs?: number;
  /** A longest gap between successes above this fails the check. */
  readonly maxGapNs?: number;
  /** Bounds on one client's longest stretch without a success inside the first fault window. */
  readonly windowGap?: WindowGapBound;
}

/**
 * One client's longest gap inside the first fault window, as a share of the window's length:
 * `below: 1` = it carried on before the fault ended; `atLeast: 0.95` = it was stuck for the whole
 * fault. `client` is a process, or its last part (`js-pub-0` names `pause-node/js-pub-0`).
 */
export interface WindowGapBound {
  readonly client: string;
  readonly below?: number;
  readonly atLeast?: number;
}

export interface Gap {
  readonly from: number;
  readonly to: number;
  readonly ns: number;
}

export interface ClientAvailability {
  readonly process: string | number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  /** Longest time between two consecutive successes. */
  readonly longestGap: Gap | null;
  /** Max time between two consecutive invocations: the finest gap this client could see. */
  readonly resolutionNs: number;
}

export interface WindowAvailability {
  readonly fault: string;
  readonly target: unknown;
  readonly start: number;
  readonly stop: number;
  readonly healed: boolean;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  /** Per client, the longest stretch of the window without a success. */
  readonly longestGapNs: Readonly<Record<string, number>>;
  /** Per client, first success after the heal minus the heal; null = never succeeded again. */
  readonly recoveryNs: Readonly<Record<string, number | null>>;
  readonly maxRecoveryNs: number | null;
  readonly unrecovered: readonly (string | number)[];
}

export interface AvailabilityDetails {
  readonly clients: readonly ClientAvailability[];
  readonly windows: readonly WindowAvailability[];
  readonly resolutionNs: number;
  readonly longestGap: (Gap & { readonly process: string | number }) | null;
  /** The bounded client's gap and the window's length, when `windowGap` was asked for. */
  readonly windowGap?: { readonly client: string; readonly gapNs: number; readonly windowNs: number };
}

function completedIn(operation: Operation, window: FaultWindow): boolean {
  const time = operation.completeTime ?? operation.invokeTime;
  return time >= window.start && time <= window.stop;
}

function longestGapWithin(successes: readonly number[], from: number, to: number): number {
  let previous = from;
  let longest = 0;
  for (const time of successes) {
    if (time < from) continue;
    if (time > to) break;
    longest = Math.max(longest, time - previous);
    previous = time;
  }
  return Math.max(longest, to - previous);
}

/**
 * Availability seen by each client: longest gap between successes overall and inside each fault
 * window, failed/unknown operation counts per window and the time each client took to succeed
 * again after each heal. Resolution is the widest spacing between a client's invocations: a gap
 * shorter than that cannot be seen.
 */
export function checkAvailability(history: History, options: AvailabilityCheckerOptions = {}): CheckResult<AvailabilityDetails> {
  const only = options.fs ? new Set(options.fs) : undefined;
  const operations = pairOperations(history).filter((operation) => !only || only.has(operation.f));
  const windows = faultWindows(history);
  const byClient = new Map<string | number, Operation[]>();
  for (const operation of operations) {
    const list = byClient.get(operation.process) ?? [];
    byClient.set(operation.process, list);
    list.push(operation);
  }

  const clients: ClientAvailability[] = [];
  const successesByClient = new Map<string | number, number[]>();
  let resolutionNs = 0;
  let longestGap: AvailabilityDetails["longestGap"] = null;
  for (const [process, list] of byClient) {
    const successes = list
      .filter((operation) => operation.type === "ok")
      .map((operation) => operation.completeTime as number)
      .sort((a, b) => a - b);
    successesByClient.set(process, successes);
    let gap: Gap | null = null;
    for (let i = 1; i < successes.length; i++) {
      const from = successes[i - 1] as number;
      const to = successes[i] as number;
      if (!gap || to - from > gap.ns) gap = { from, to, ns: to - from };
    }
    let clientResolution = 0;
    for (let i = 1; i < list.length; i++) {
      clientResolution = Math.max(clientResolution, (list[i] as Operation).invokeTime - (list[i - 1] as Operation).invokeTime);
    }
    resolutionNs = Math.max(resolutionNs, clientResolution);
    if (gap && (!longestGap || gap.ns > longestGap.ns)) longestGap = { ...gap, process };
    clients.push({
      process,
      ok: successes.length,
      fail: list.filter((operation) => operation.type === "fail").length,
      info: list.filter((operation) => operation.type === "info").length,
      longestGap: gap,
      resolutionNs: clientResolution,
    });
  }

  const problems: string[] = [];
  const windowResults: WindowAvailability[] = windows.map((window) => {
    const inside = operations.filter((operation) => completedIn(operation, window));
    const longestGapNs: Record<string, number> = {};
    const recoveryNs: Record<string, number | null> = {};
    const unrecovered: (string | number)[] = [];
    let maxRecovery: number | null = null;
    for (const [process, list] of byClient) {
      const successes = successesByClient.get(process) ?? [];
      longestGapNs[String(process)] = longestGapWithin(successes, window.start, window.stop);
      if (!window.healed || !list.some((operation) => operation.invokeTime >= window.stop || (operation.completeTime ?? -1) >= window.stop))
        continue;
      const first = successes.find((time) => time >= window.stop);
      if (first === undefined) {
        recoveryNs[String(process)] = null;
        unrecovered.push(process);
        continue;
      }
      recoveryNs[String(process)] = first - window.stop;
      maxRecovery = Math.max(maxRecovery ?? 0, first - window.stop);
    }
    if (unrecovered.length > 0) problems.push(`${unrecovered.length} clients never succeeded after the heal of ${window.fault}`);
    if (options.maxRecoveryNs !== undefined && maxRecovery !== null && maxRecovery > options.maxRecoveryNs) {
      problems.push(`recovery after ${window.fault} took ${nsToMs(maxRecovery)} (bound ${nsToMs(options.maxRecoveryNs)})`);
    }
    return {
      fault: window.fault,
      target: window.target,
      start: window.start,
      stop: window.stop,
      healed: window.healed,
      ok: inside.filter((operation) => operation.type === "ok").length,
      fail: inside.filter((operation) => operation.type === "fail").length,
      info: inside.filter((operation) => operation.type === "info").length,
      longestGapNs,
      recoveryNs,
      maxRecoveryNs: maxRecovery,
      unrecovered,
    };
  });
  const windowGap = options.windowGap ? measureWindowGap(options.windowGap, windowResults, problems) : undefined;
  if (options.maxGapNs !== undefined && longestGap && longestGap.ns > options.maxGapNs) {
    problems.push(`client ${longestGap.process} went ${nsToMs(longestGap.ns)} without a success (bound ${nsToMs(options.maxGapNs)})`);
  }

  const counts = {
    clients: clients.length,
    operations: operations.length,
    ok: clients.reduce((sum, client) => sum + client.ok, 0),
    fail: clients.reduce((sum, client) => sum + client.fail, 0),
    info: clients.reduce((sum, client) => sum + client.info, 0),
    faultWindows: windows.length,
    longestGapNs: longestGap?.ns ?? 0,
    maxRecoveryNs: Math.max(0, ...windowResults.map((window) => window.maxRecoveryNs ?? 0)),
    resolutionNs,
  };
  let valid: Validity;
  let reason: string;
  if (problems.length > 0) {
    valid = false;
    reason = problems.join("; ");
  } else if (counts.ok === 0) {
    valid = "unknown";
    reason = "no successful client operations in the history";
  } else {
    valid = true;
    reason = `longest gap ${nsToMs(counts.longestGapNs)}, slowest recovery ${nsToMs(counts.maxRecoveryNs)} (resolution ${nsToMs(resolutionNs)})`;
  }
  return {
    checker: "availability",
    valid,
    reason,
    counts,
    details: { clients, windows: windowResults, resolutionNs, longestGap, ...(windowGap ? { windowGap } : {}) },
  };
}

function measureWindowGap(
  bound: WindowGapBound,
  windows: readonly WindowAvailability[],
  problems: string[],
): AvailabilityDetails["windowGap"] {
  const window = windows[0];
  if (!window) {
    problems.push(`no fault window to measure ${bound.client}'s gap in`);
    return undefined;
  }
  const client = Object.keys(window.longestGapNs).find((process) => process === bound.client || process.endsWith(`/${bound.client}`));
  if (client === undefined) {
    problems.push(`client ${bound.client} recorded no operation`);
    return undefined;
  }
  const gapNs = window.longestGapNs[client] ?? 0;
  const windowNs = window.stop - window.start;
  const share = `${nsToMs(gapNs)} of the ${nsToMs(windowNs)} ${window.fault}`;
  if (bound.below !== undefined && gapNs >= bound.below * windowNs)
    problems.push(
      `${client} went ${share} without a success (expected under ${bound.below * 100} % of it: the client should have moved on)`,
    );
  if (bound.atLeast !== undefined && gapNs < bound.atLeast * windowNs)
    problems.push(`${client} went only ${share} without a success (expected at least ${bound.atLeast * 100} % of it)`);
  return { client, gapNs, windowNs };
}
