import { CLIENT_OPS, faultWindows, type History, OP, PROBE, PROBE_PROCESS } from "../history/index.ts";
import type { WindowGapBound } from "./availability.ts";
import { type CheckHistoryOptions, checkHistory } from "./check-history.ts";
import { checkClusterRecovered } from "./cluster-recovered.ts";
import { checkConsumerDeliveries } from "./consumer-deliveries.ts";
import { checkDarkWindows } from "./dark-windows.ts";
import { checkFaultErrors, type FaultErrorsCheckerOptions } from "./fault-errors.ts";
import { checkReconnection } from "./reconnection.ts";
import { checkReplicasConverged } from "./replicas-converged.ts";
import { measurementResolution, type Resolution } from "./resolution.ts";
import { type CheckResult, mergeValidity } from "./result.ts";
import { checkSteadyState } from "./steady-state.ts";
import { unavailableNs } from "./unavailability.ts";

/** Assertions an experiment adds to the checkers every experiment gets; kept in its history, so a re-check applies them too. */
export interface ExperimentChecks {
  /** Bounds one client's longest gap inside the fault window (availability checker). */
  readonly windowGap?: WindowGapBound;
  /** Checkers that must have run (e.g. `reconnection` after a replica kill): one that did not leaves the verdict undecided. */
  readonly required?: readonly string[];
  /** A latency objective: the p99 of these operations' successes (default every client operation) over the whole run. */
  readonly latency?: { readonly fs?: readonly string[]; readonly maxP99Ms: number };
  /** How operations failed inside the fault, by error class (reported); `definiteOnly` fails the verdict when one got no answer. */
  readonly faultErrors?: FaultErrorsCheckerOptions;
}

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
  /** Attempts spaced wider than this make the verdict warn that its unavailability figures are coarse (never a failure). */
  readonly resolutionBoundNs?: number;
  /** Gateway requests publish to this stream (with Idempotency-Key): they count as publishes. */
  readonly gatewayStream?: string;
  /** The durable consumer a processor read the stream through (instead of final reads). */
  readonly consumer?: string;
  readonly checks?: ExperimentChecks;
  /** How partitions were made (`kernel`, `proxy`…): a replica that lags behind means different things on each. */
  readonly network?: string;
  /** Why the experiment could not run (no fault injected): the verdict is then an error. */
  readonly notRun?: string;
}

export function experimentMeta(history: History): ExperimentMeta | undefined {
  const entry = history.find((candidate) => candidate.process === PROBE_PROCESS && candidate.f === PROBE.experiment);
  return entry?.value as ExperimentMeta | undefined;
}

/** Fault windows this long or longer in which no publish was acknowledged are a finding. */
const DARK_WINDOW_NS = 5e9;

export interface ExperimentVerdict {
  readonly experiment: string;
  readonly fault: string;
  readonly verdict: "pass" | "fail" | "error";
  /**
   * Each failing check as `cause: reason` (causes: lost — on no replica, lost-on-minority — the
   * replicas diverge, unreadable — stored on every replica but not served, duplicated, unexpected,
   * stale-read, unavailable, failed-requests, replica-lag, max-deliver, slow — a latency objective missed,
   * unclear-errors — no answer inside the fault where an error was due, not-recovered).
   */
  readonly reason: string;
  readonly causes: readonly string[];
  readonly results: Readonly<Record<string, CheckResult>>;
  readonly counts: Readonly<Record<string, number>>;
  readonly maxUnavailableMs: number | undefined;
  readonly gatewayUnavailableMs: number | undefined;
  /** What the unavailability figures are good to: the spacing of publish attempts and of gateway requests. */
  readonly resolution: {
    readonly jetstream?: ResolutionMs;
    readonly gateway?: ResolutionMs;
    readonly boundMs?: number;
    /** Where the attempts were scheduled from: `own process (rr 10)`, `harness event loop (default)`. */
    readonly workloads?: string;
  };
  /** What a reader should know that fails nothing (e.g. a resolution coarser than the bound). */
  readonly warnings: readonly string[];
}

/** A `Resolution` in milliseconds. */
export interface ResolutionMs {
  readonly attempts: number;
  readonly widestGapMs: number;
  readonly p99GapMs: number;
  /** Where the widest gap opens, in ms since the experiment's time 0. */
  readonly widestGapAtMs: number;
}

function inMs(resolution: Resolution | null): ResolutionMs | undefined {
  if (!resolution) return undefined;
  return {
    attempts: resolution.attempts,
    widestGapMs: resolution.widestGapNs / 1e6,
    p99GapMs: resolution.p99GapNs / 1e6,
    widestGapAtMs: resolution.widestGapAtNs / 1e6,
  };
}

/** The experiment's resolution, and a warning for each figure whose attempts were spaced wider than `boundNs`. */
function resolutionOf(history: History, boundNs: number | undefined) {
  const jetstream = inMs(measurementResolution(history, OP.publish));
  const gateway = inMs(measurementResolution(history, OP.gatewayRequest));
  const boundMs = boundNs === undefined ? undefined : boundNs / 1e6;
  const warnings: string[] = [];
  const coarse = (what: string, figure: string, resolution: ResolutionMs | undefined) => {
    if (boundMs === undefined || !resolution || resolution.widestGapMs <= boundMs) return;
    warnings.push(
      `resolution: ${what} up to ${resolution.widestGapMs.toFixed(0)} ms apart (bound ${boundMs.toFixed(0)} ms): ${figure} is measured to within that`,
    );
  };
  coarse("publish attempts", "JetStream's unavailability", jetstream);
  coarse("gateway requests", "the gateway's unavailability", gateway);
  const ran = history.find((entry) => entry.process === PROBE_PROCESS && entry.f === PROBE.workloads)?.value as
    | { placement: string; scheduling: string }
    | undefined;
  return {
    resolution: {
      ...(jetstream ? { jetstream } : {}),
      ...(gateway ? { gateway } : {}),
      ...(boundMs === undefined ? {} : { boundMs }),
      ...(ran ? { workloads: `${ran.placement === "main" ? "harness event loop" : "own process"} (${ran.scheduling})` } : {}),
    },
    warnings,
  };
}

function causesOf(name: string, result: CheckResult): string[] {
  if (result.valid !== false) return [];
  const counts = result.counts;
  switch (name) {
    case "queue": {
      const causes: string[] = [];
      if ((counts.lost ?? 0) > 0) causes.push("lost");
      if ((counts.lostOnMinority ?? 0) > 0) causes.push("lost-on-minority");
      if ((counts.unreadable ?? 0) > 0) causes.push("unreadable");
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
    case "consumer":
      return ["max-deliver"];
    case "latency":
      return ["slow"];
    case "faultErrors":
      return ["unclear-errors"];
    default:
      return ["not-recovered"];
  }
}

/**
 * The verdict of one experiment, a pure function of its history (so `gauntlet check` recomputes
 * it from history.jsonl): the queue checker over publishes and reads, the KV register checker,
 * availability (reported; clients that never came back fail it), reconnection of services and
 * gateways within the bound, the steady state outside faults, R1-style dark windows as findings,
 * and the experiment's own checks from its meta entry.
 */
export function judgeExperiment(history: History): ExperimentVerdict {
  const meta = experimentMeta(history);
  if (!meta) throw new Error(`history has no "${PROBE.experiment}" probe entry: not an experiment's history`);
  const has = (fs: readonly string[]) => history.some((entry) => entry.process !== PROBE_PROCESS && fs.includes(entry.f));
  const windowGap = meta.checks?.windowGap;
  const options: CheckHistoryOptions = {
    ...(has([OP.publish])
      ? { queue: { checkOrder: false, publishF: meta.gatewayStream ? [OP.publish, OP.gatewayRequest] : [OP.publish] } }
      : {}),
    ...(has([OP.kvPut, OP.kvGet]) ? { kvRegister: {} } : {}),
    ...(has(CLIENT_OPS) ? { availability: { fs: CLIENT_OPS, ...(windowGap ? { windowGap } : {}) } } : {}),
    ...(meta.checks?.latency
      ? { latency: { fs: meta.checks.latency.fs ?? CLIENT_OPS, maxP99Ns: meta.checks.latency.maxP99Ms * 1e6 } }
      : {}),
  };
  const results: Record<string, CheckResult> = { ...checkHistory(history, options).results };
  const probes = history.filter((entry) => entry.process === PROBE_PROCESS);
  const healed = faultWindows(history).some((window) => window.healed);
  if (healed && (Object.keys(meta.expectedInstances).length > 0 || probes.some((entry) => entry.f === PROBE.readyz))) {
    results.reconnection = checkReconnection(history, { expectedInstances: meta.expectedInstances, boundNs: meta.reconnectBoundNs });
  }
  results.steadyState = checkSteadyState(history, { graceNs: meta.graceNs });
  const cluster = checkClusterRecovered(history);
  if (cluster) results.cluster = cluster;
  if (meta.checks?.faultErrors) results.faultErrors = checkFaultErrors(history, meta.checks.faultErrors);
  const replicas = checkReplicasConverged(history);
  if (replicas) results.replicas = replicas;
  if (meta.consumer) results.consumer = checkConsumerDeliveries(history, meta.consumer);
  // An experiment that expects its client stuck for the whole fault (windowGap.atLeast) asserts that dark window itself.
  const expectsDarkWindow = windowGap?.atLeast !== undefined;
  if (has([OP.publish]) && !expectsDarkWindow)
    results.windows = checkDarkWindows(history, { minWindowNs: DARK_WINDOW_NS, stream: meta.stream });
  for (const name of meta.checks?.required ?? []) {
    results[name] ??= { checker: name, valid: "unknown", reason: "did not run (the experiment requires it)", counts: {}, details: null };
  }

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
  const jsGap = unavailableNs(history, OP.publish);
  const gatewayGap = unavailableNs(history, OP.gatewayRequest);
  const { resolution, warnings } = resolutionOf(history, meta.resolutionBoundNs);
  const counts: Record<string, number> = {
    lost: queue.lost ?? 0,
    lostOnMinority: queue.lostOnMinority ?? 0,
    unreadable: queue.unreadable ?? 0,
    duplicated: queue.duplicated ?? 0,
    unexpected: queue.unexpected ?? 0,
    recovered: queue.recovered ?? 0,
    acknowledged: queue.acknowledged ?? 0,
    staleReads: results.kvRegister?.counts.violations ?? 0,
    failedOutsideFaults: results.steadyState?.counts.failedOutsideFaults ?? 0,
    ...(results.consumer
      ? { redelivered: results.consumer.counts.redelivered ?? 0, maxDeliveries: results.consumer.counts.maxDeliveries ?? 0 }
      : {}),
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
    resolution,
    warnings,
  };
}
