import {
  type CheckHistoryOptions,
  type CheckResult,
  checkHistory,
  checkReconnection,
  mergeValidity,
  type Validity,
} from "../checkers/index.ts";
import { type FaultWindow, faultWindows, type History, type HistoryEntry, PROBE_PROCESS, pairOperations } from "../history/index.ts";

/** The probe entry (f `experiment`) that opens every experiment's history: what a re-check needs to know. */
export interface ExperimentMeta {
  readonly experiment: string;
  readonly fault: string;
  readonly stream: string;
  readonly replicas: number;
  readonly storage: "file" | "memory";
  readonly expectedInstances: Readonly<Record<string, number>>;
  readonly reconnectBoundNs: number;
  /** Failures this long after a heal are no longer the fault's doing. */
  readonly graceNs: number;
  /** Gateway requests publish to this stream (with Idempotency-Key): they count as publishes. */
  readonly gatewayStream?: string;
  /** Why the experiment could not run (no fault injected): the verdict is then an error. */
  readonly notRun?: string;
}

export const EXPERIMENT_F = "experiment";
export const PUBLISH_F = "publish";
export const GATEWAY_F = "gateway-request";
const CLIENT_FS = ["publish", "kv-put", "kv-get", "gateway-request"];

export function experimentMeta(history: History): ExperimentMeta | undefined {
  const entry = history.find((candidate) => candidate.process === PROBE_PROCESS && candidate.f === EXPERIMENT_F);
  return entry?.value as ExperimentMeta | undefined;
}

export const INJECT_F = "inject";

/**
 * Fault windows as the clients felt them: a window opens when the nemesis was asked to inject
 * (the runner's `inject` probe), not when the injection returned: a lame-duck stop acts for
 * seconds before `stop` returns.
 */
export function effectiveWindows(history: History): FaultWindow[] {
  const asked = history.filter((entry) => entry.process === PROBE_PROCESS && entry.f === INJECT_F).map((entry) => entry.time);
  return faultWindows(history).map((window) => {
    const start = asked.filter((time) => time <= window.start).at(-1);
    return start === undefined ? window : { ...window, start };
  });
}

/** Client operations that failed (or timed out) outside every fault window and its grace period: a broken steady state. */
export function checkSteadyState(history: History, graceNs: number): CheckResult<{ examples: unknown[] }> {
  const windows = effectiveWindows(history);
  const outside = pairOperations(history).filter(
    (operation) =>
      CLIENT_FS.includes(operation.f) &&
      operation.type !== "ok" &&
      !windows.some(
        (window) =>
          operation.invokeTime >= window.start - 1e9 &&
          operation.invokeTime <= (window.healed ? window.stop + graceNs : Number.POSITIVE_INFINITY),
      ),
  );
  const byClass: Record<string, number> = {};
  for (const operation of outside) {
    const key = `${operation.f} ${operation.error?.class ?? operation.type}`;
    byClass[key] = (byClass[key] ?? 0) + 1;
  }
  const total = pairOperations(history).filter((operation) => CLIENT_FS.includes(operation.f)).length;
  const valid: Validity = outside.length === 0 ? (total === 0 ? "unknown" : true) : false;
  const reason =
    outside.length === 0
      ? `no failed operation outside fault windows (${total} operations)`
      : `${outside.length} operations failed with no fault in effect: ${Object.entries(byClass)
          .map(([key, n]) => `${key} ×${n}`)
          .join(", ")}`;
  return {
    checker: "steady-state",
    valid,
    reason,
    counts: { failedOutsideFaults: outside.length, operations: total },
    details: { examples: outside.slice(0, 10) },
  };
}

/**
 * System-level unavailability of `f`: the longest stretch, touching a fault window, in which no
 * client completed `f` successfully (all clients' successes merged). Null when there is no window.
 */
export function unavailableNs(history: History, f: string): number | null {
  const successes = pairOperations(history)
    .filter((operation) => operation.f === f && operation.type === "ok")
    .map((operation) => operation.completeTime as number)
    .sort((a, b) => a - b);
  const windows = effectiveWindows(history);
  if (windows.length === 0 || successes.length === 0) return null;
  const end = history.at(-1)?.time ?? 0;
  let longest = 0;
  for (const window of windows) {
    const before = successes.filter((time) => time <= window.start).at(-1) ?? window.start;
    const inside = successes.filter((time) => time > window.start);
    let previous = before;
    for (const time of inside) {
      if (previous > window.stop) break;
      longest = Math.max(longest, time - previous);
      previous = time;
    }
    // Never a success again: unavailable until the history ends.
    if (previous <= window.stop) longest = Math.max(longest, end - previous);
  }
  return longest;
}

/** The widest spacing between consecutive invocations of `f` (all clients merged): a gap shorter than this cannot be seen. */
export function resolutionNs(history: History, f: string): number | null {
  let previous: number | undefined;
  let widest: number | null = null;
  for (const entry of history) {
    if (entry.type !== "invoke" || entry.f !== f) continue;
    if (previous !== undefined) widest = Math.max(widest ?? 0, entry.time - previous);
    previous = entry.time;
  }
  return widest;
}

/** A finding: a fault window (longer than `minWindowNs`) in which publishes were tried and none was acknowledged. */
export function checkWindowAvailability(history: History, minWindowNs: number, stream: string): CheckResult<{ windows: unknown[] }> {
  const operations = pairOperations(history).filter((operation) => operation.f === PUBLISH_F);
  const dark = faultWindows(history)
    .filter((window) => window.stop - window.start >= minWindowNs)
    .filter((window) => {
      const inside = operations.filter((operation) => operation.invokeTime >= window.start && operation.invokeTime <= window.stop);
      return inside.length > 0 && !inside.some((operation) => operation.type === "ok");
    });
  return {
    checker: "jetstream-availability",
    valid: dark.length === 0 ? (operations.length === 0 ? "unknown" : true) : false,
    reason:
      dark.length === 0
        ? "JetStream acknowledged publishes inside every fault window"
        : `finding: stream ${stream} acknowledged no publish for the whole ${dark
            .map((window) => `${((window.stop - window.start) / 1e9).toFixed(1)} s of ${window.fault}`)
            .join(", ")} (unavailable while the fault lasted)`,
    counts: { darkWindows: dark.length },
    details: { windows: dark.map((window) => ({ fault: window.fault, target: window.target, start: window.start, stop: window.stop })) },
  };
}

export const CLUSTER_HEALTH_F = "cluster-healthy";

/** The runner's `cluster-healthy` probes after each heal: the cluster re-formed with every stream current. */
export function checkClusterRecovered(history: History): CheckResult<{ failures: unknown[] }> | undefined {
  const probes = history.filter((entry) => entry.process === PROBE_PROCESS && entry.f === CLUSTER_HEALTH_F);
  if (probes.length === 0) return undefined;
  const failures = probes.map((entry) => entry.value as { healthy: boolean; detail?: string }).filter((value) => !value.healthy);
  return {
    checker: "cluster",
    valid: failures.length === 0,
    reason:
      failures.length === 0
        ? "the cluster re-formed with every stream current after each heal"
        : `the cluster did not re-form after the heal: ${failures.map((value) => value.detail ?? "unhealthy").join("; ")}`,
    counts: { unhealthy: failures.length },
    details: { failures },
  };
}

/** The `stream-replicas` probe the final reads leave: every replica of the stream caught up after the heal. */
export function checkReplicasConverged(history: History): CheckResult<{ lagging: unknown }> | undefined {
  const probe = history.findLast((entry) => entry.process === PROBE_PROCESS && entry.f === "stream-replicas");
  if (!probe) return undefined;
  const value = probe.value as { stream: string; converged: boolean; lagging: { name: string; lag: number }[] };
  return {
    checker: "replicas",
    valid: value.converged,
    reason: value.converged
      ? `every replica of ${value.stream} caught up`
      : `replicas of ${value.stream} still behind before the final reads: ${value.lagging.map((r) => `${r.name} lag ${r.lag}`).join(", ")}`,
    counts: { lagging: value.lagging.length },
    details: { lagging: value.lagging },
  };
}

export interface ExperimentVerdict {
  readonly experiment: string;
  readonly fault: string;
  readonly verdict: "pass" | "fail" | "error";
  /** Each failing check as `cause: reason` (causes: lost, duplicated, unexpected, stale-read, unavailable, failed-requests, not-recovered). */
  readonly reason: string;
  readonly causes: readonly string[];
  readonly results: Readonly<Record<string, CheckResult>>;
  readonly counts: Readonly<Record<string, number>>;
  readonly maxUnavailableMs: number | undefined;
  readonly gatewayUnavailableMs: number | undefined;
  readonly resolutionMs: number | undefined;
}

function causesOf(name: string, result: CheckResult): string[] {
  if (result.valid !== false) return [];
  const counts = result.counts;
  switch (name) {
    case "queue": {
      const causes: string[] = [];
      if ((counts.lost ?? 0) > 0) causes.push("lost");
      if ((counts.duplicated ?? 0) > 0) causes.push("duplicated");
      if ((counts.unexpected ?? 0) > 0) causes.push("unexpected");
      if ((counts.reordered ?? 0) > 0) causes.push("reordered");
      return causes;
    }
    case "kvRegister":
      return ["stale-read"];
    case "steadyState":
      return ["failed-requests"];
    case "windows":
      return ["unavailable"];
    case "replicas":
      return ["replica-lag"];
    default:
      return ["not-recovered"];
  }
}

/**
 * The verdict of one experiment, a pure function of its history (so `gauntlet check` recomputes
 * it from history.jsonl): the queue checker over publishes and reads, the KV register checker,
 * availability (reported; clients that never came back fail it), reconnection of services and
 * gateways within the bound, the steady state outside faults, and R1-style dark windows as findings.
 */
export function judgeExperiment(history: History): ExperimentVerdict {
  const meta = experimentMeta(history);
  if (!meta) throw new Error(`history has no "${EXPERIMENT_F}" probe entry: not an experiment's history`);
  const has = (fs: readonly string[]) => history.some((entry) => entry.process !== PROBE_PROCESS && fs.includes(entry.f));
  const options: CheckHistoryOptions = {
    ...(has(["publish"]) ? { queue: { checkOrder: false, publishF: meta.gatewayStream ? ["publish", GATEWAY_F] : ["publish"] } } : {}),
    ...(has(["kv-put", "kv-get"]) ? { kvRegister: {} } : {}),
    ...(has(CLIENT_FS) ? { availability: { fs: CLIENT_FS } } : {}),
  };
  const results: Record<string, CheckResult> = { ...checkHistory(history, options).results };
  const probes = history.filter((entry) => entry.process === PROBE_PROCESS);
  const healed = faultWindows(history).some((window) => window.healed);
  if (healed && (Object.keys(meta.expectedInstances).length > 0 || probes.some((entry) => entry.f === "readyz"))) {
    results.reconnection = checkReconnection(history, { expectedInstances: meta.expectedInstances, boundNs: meta.reconnectBoundNs });
  }
  results.steadyState = checkSteadyState(history, meta.graceNs);
  const cluster = checkClusterRecovered(history);
  if (cluster) results.cluster = cluster;
  const replicas = checkReplicasConverged(history);
  if (replicas) results.replicas = replicas;
  if (has(["publish"])) results.windows = checkWindowAvailability(history, 5e9, meta.stream);

  const causes = [...new Set(Object.entries(results).flatMap(([name, result]) => causesOf(name, result)))];
  const failing = Object.entries(results).filter(([, result]) => result.valid === false);
  const valid = mergeValidity(Object.values(results).map((result) => result.valid));
  const verdict = meta.notRun ? "error" : valid === false ? "fail" : valid === true ? "pass" : "error";
  const reason = meta.notRun
    ? `not run: ${meta.notRun}`
    : failing.length > 0
      ? failing.map(([name, result]) => `${causesOf(name, result).join("/")} (${name}): ${result.reason}`).join("; ")
      : valid === true
        ? "every checker passed"
        : `undecided: ${Object.values(results)
            .filter((result) => result.valid === "unknown")
            .map((result) => `${result.checker}: ${result.reason}`)
            .join("; ")}`;
  const queue = results.queue?.counts ?? {};
  const jsGap = unavailableNs(history, PUBLISH_F);
  const gatewayGap = unavailableNs(history, GATEWAY_F);
  const resolution = resolutionNs(history, PUBLISH_F);
  const counts: Record<string, number> = {
    lost: queue.lost ?? 0,
    duplicated: queue.duplicated ?? 0,
    unexpected: queue.unexpected ?? 0,
    recovered: queue.recovered ?? 0,
    acknowledged: queue.acknowledged ?? 0,
    staleReads: results.kvRegister?.counts.violations ?? 0,
    failedOutsideFaults: results.steadyState?.counts.failedOutsideFaults ?? 0,
  };
  return {
    experiment: meta.experiment,
    fault: meta.fault,
    verdict,
    reason,
    causes: meta.notRun ? ["not-run"] : causes,
    results,
    counts,
    maxUnavailableMs: jsGap === null ? undefined : jsGap / 1e6,
    gatewayUnavailableMs: gatewayGap === null ? undefined : gatewayGap / 1e6,
    resolutionMs: resolution === null ? undefined : resolution / 1e6,
  };
}

/** Splits a run's history.jsonl (every experiment in one file) into one history per experiment, in order. */
export function splitByExperiment(history: readonly HistoryEntry[]): Map<string, HistoryEntry[]> {
  const byExperiment = new Map<string, HistoryEntry[]>();
  for (const entry of history) {
    const name = experimentOf(entry);
    if (name === undefined) continue;
    const list = byExperiment.get(name) ?? [];
    byExperiment.set(name, list);
    list.push(entry);
  }
  return byExperiment;
}

/** Client entries carry the experiment in their process (`experiment/client`); nemesis and probe entries in `value.experiment`. */
export function experimentOf(entry: HistoryEntry): string | undefined {
  if (typeof entry.process === "string" && entry.process.includes("/")) return entry.process.slice(0, entry.process.lastIndexOf("/"));
  const value = entry.value as { experiment?: unknown; target?: { experiment?: unknown } } | undefined;
  if (typeof value?.experiment === "string") return value.experiment;
  if (typeof value?.target?.experiment === "string") return value.target.experiment;
  return undefined;
}
