import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { percentile } from "../../lib/percentile/index.ts";
import { faultWindows, type History, OP, pairOperations } from "../history/index.ts";
import { EVIDENCE_DIR, FAILOVER_FILE, HISTORY_FILE } from "./record-files.ts";
import { type AttemptSpacing, FailoverExperiment, FailoverSection, type TimePoint } from "./summary-schema.ts";

/** What the run record keeps of one failover experiment (the failover runner's `ExperimentResult` is one). */
export interface RecordedExperiment {
  readonly verdict: {
    readonly experiment: string;
    readonly fault: string;
    readonly verdict: "pass" | "fail" | "error";
    readonly reason: string;
    readonly counts: Readonly<Record<string, number>>;
    readonly maxUnavailableMs: number | undefined;
    readonly gatewayUnavailableMs: number | undefined;
    readonly resolution: {
      readonly jetstream?: AttemptSpacing;
      readonly gateway?: AttemptSpacing;
      readonly boundMs?: number;
      readonly workloads?: string;
    };
    readonly warnings: readonly string[];
  };
  /** Times in ns since `startedAtMs`. */
  readonly history: History;
  /** Wall clock (ms since epoch) of the history's time 0. */
  readonly startedAtMs: number;
  readonly durationMs: number;
  /** Evidence by phase (every node's /jsz and /routez before, during and after the fault), written to `evidence/<experiment>/`. */
  readonly snapshots?: Readonly<Record<string, unknown>>;
}

/**
 * When the run started (ms since epoch), the origin of every time in the run record:
 * GAUNTLET_RUN_STARTED_AT (ISO) when the harness sets it, else the run id's timestamp
 * (`2026-11-26T22-15-03-4f2a`), else undefined.
 */
export function runStartMs(runDir: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const fromEnv = env.GAUNTLET_RUN_STARTED_AT ? Date.parse(env.GAUNTLET_RUN_STARTED_AT) : Number.NaN;
  if (Number.isFinite(fromEnv)) return fromEnv;
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})/.exec(basename(runDir));
  if (!match) return undefined;
  const parsed = Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`);
  return Number.isFinite(parsed) ? parsed : undefined;
}

const seconds = (ns: number, offsetMs: number) => Math.round((ns / 1e9 + offsetMs / 1000) * 1000) / 1000;

/** Completed client operations per second of the experiment: rate (successes/s), errors, p50/p99 latency of successes. */
export function timeSeries(history: History, offsetMs: number): TimePoint[] {
  const buckets = new Map<number, { ok: number[]; errors: number }>();
  for (const operation of pairOperations(history)) {
    if (operation.completeTime === undefined || operation.f === OP.read) continue;
    const second = Math.floor(operation.completeTime / 1e9);
    const bucket = buckets.get(second) ?? { ok: [], errors: 0 };
    buckets.set(second, bucket);
    if (operation.type === "ok") bucket.ok.push((operation.completeTime - operation.invokeTime) / 1e6);
    else bucket.errors += 1;
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([second, bucket]) => {
      const sorted = bucket.ok.sort((a, b) => a - b);
      const round = (value: number) => Math.round(value * 100) / 100;
      return {
        t: seconds(second * 1e9, offsetMs),
        rate: bucket.ok.length,
        errors: bucket.errors,
        p50: round(percentile(sorted, 50)),
        p99: round(percentile(sorted, 99)),
      };
    });
}

const tenths = (value: number) => Math.round(value * 10) / 10;

function recordedResolution(resolution: RecordedExperiment["verdict"]["resolution"]): FailoverExperiment["resolution"] {
  const spacing = (figure: AttemptSpacing | undefined) =>
    figure && { attempts: figure.attempts, widestGapMs: tenths(figure.widestGapMs), p99GapMs: tenths(figure.p99GapMs) };
  const jetstream = spacing(resolution.jetstream);
  const gateway = spacing(resolution.gateway);
  return {
    ...(jetstream ? { jetstream } : {}),
    ...(gateway ? { gateway } : {}),
    ...(resolution.boundMs === undefined ? {} : { boundMs: resolution.boundMs }),
    ...(resolution.workloads === undefined ? {} : { workloads: resolution.workloads }),
  };
}

/** One experiment as summary.json's failover section shows it; times in seconds since `runStart`. */
export function toFailoverExperiment(result: RecordedExperiment, runStart: number): FailoverExperiment {
  const { verdict } = result;
  const offsetMs = Math.max(0, result.startedAtMs - runStart);
  const whole = (value: number | undefined) => (value === undefined ? undefined : Math.round(value));
  const checkers: Record<string, number> = { ...verdict.counts };
  const gateway = whole(verdict.gatewayUnavailableMs);
  if (gateway !== undefined) checkers.gatewayUnavailableMs = gateway;
  return FailoverExperiment.parse({
    name: verdict.experiment,
    fault: verdict.fault,
    verdict: verdict.verdict,
    ...(verdict.verdict === "pass" ? {} : { reason: verdict.reason }),
    durationMs: result.durationMs,
    checkers,
    ...(verdict.maxUnavailableMs === undefined ? {} : { maxUnavailableMs: Math.round(verdict.maxUnavailableMs) }),
    resolution: recordedResolution(verdict.resolution),
    ...(verdict.warnings.length > 0 ? { warnings: [...verdict.warnings] } : {}),
    faultWindows: faultWindows(result.history).map((window) => ({
      start: seconds(window.start, offsetMs),
      end: seconds(window.stop, offsetMs),
      fault: window.fault,
    })),
  });
}

/**
 * Adds one experiment to the run record: its history appended to history.jsonl (times shifted to
 * the run's origin, indexes continuing the file's) and its entry and time series merged into
 * failover.json. Experiments of one run are recorded one after another, never concurrently.
 */
export function recordExperiment(runDir: string, result: RecordedExperiment): void {
  const historyFile = join(runDir, HISTORY_FILE);
  const failoverFile = join(runDir, FAILOVER_FILE);
  const previous: FailoverSection = existsSync(failoverFile)
    ? FailoverSection.parse(JSON.parse(readFileSync(failoverFile, "utf8")))
    : { experiments: [], timeSeries: [] };
  const runStart = runStartMs(runDir) ?? result.startedAtMs;
  const offsetMs = Math.max(0, result.startedAtMs - runStart);
  const firstIndex = existsSync(historyFile)
    ? readFileSync(historyFile, "utf8")
        .split("\n")
        .filter((line) => line !== "").length
    : 0;
  const lines = result.history.map((entry) =>
    JSON.stringify({ ...entry, index: firstIndex + entry.index, time: entry.time + offsetMs * 1e6 }),
  );
  appendFileSync(historyFile, lines.length > 0 ? `${lines.join("\n")}\n` : "");
  const section: FailoverSection = {
    experiments: [...previous.experiments.filter((e) => e.name !== result.verdict.experiment), toFailoverExperiment(result, runStart)],
    timeSeries: [...previous.timeSeries, ...timeSeries(result.history, offsetMs)].sort((a, b) => a.t - b.t),
  };
  writeFileSync(failoverFile, `${JSON.stringify(FailoverSection.parse(section), null, 2)}\n`);
  const phases = Object.entries(result.snapshots ?? {});
  if (phases.length > 0) {
    const dir = join(runDir, EVIDENCE_DIR, result.verdict.experiment);
    mkdirSync(dir, { recursive: true });
    for (const [phase, snapshot] of phases) writeFileSync(join(dir, `${phase}.json`), `${JSON.stringify(snapshot)}\n`);
  }
}
