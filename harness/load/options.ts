import { DURATION_EXAMPLES, parseDuration } from "../../lib/duration/index.ts";
import { LoadError } from "./errors.ts";

type Duration = string | number;

interface ScenarioCommon {
  /** Name of the exported function to run; `default` when omitted. */
  exec?: string;
  /** Delay from the start of the run before this scenario begins. */
  startTime?: Duration;
  /** How long in-flight iterations may finish after the scenario's end before they are interrupted (default 30s). */
  gracefulStop?: Duration;
  /** Tags added to every metric this scenario records. */
  tags?: Record<string, string>;
}

export interface ConstantArrivalRateScenario extends ScenarioCommon {
  executor: "constant-arrival-rate";
  rate: number;
  timeUnit?: Duration;
  duration: Duration;
  preAllocatedVUs: number;
  maxVUs?: number;
}

export interface RampingArrivalRateScenario extends ScenarioCommon {
  executor: "ramping-arrival-rate";
  startRate?: number;
  timeUnit?: Duration;
  stages: { target: number; duration: Duration }[];
  preAllocatedVUs: number;
  maxVUs?: number;
}

export interface ConstantVusScenario extends ScenarioCommon {
  executor: "constant-vus";
  vus: number;
  duration: Duration;
}

export interface PerVuIterationsScenario extends ScenarioCommon {
  executor: "per-vu-iterations";
  vus: number;
  iterations: number;
  maxDuration?: Duration;
}

export type ScenarioConfig = ConstantArrivalRateScenario | RampingArrivalRateScenario | ConstantVusScenario | PerVuIterationsScenario;

export type ThresholdEntry = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: Duration };

/** What a scenario module exports as `options`, shaped as k6's. */
export interface LoadOptions {
  scenarios: Record<string, ScenarioConfig>;
  thresholds?: Record<string, ThresholdEntry[]>;
}

/** A rate segment: `rate` per second changing linearly from `from` to `to` over `durationMs`. */
export interface RateSegment {
  from: number;
  to: number;
  durationMs: number;
}

interface NormalizedCommon {
  name: string;
  exec: string;
  startMs: number;
  gracefulStopMs: number;
  tags: Record<string, string>;
}

export interface NormalizedArrivalScenario extends NormalizedCommon {
  executor: "constant-arrival-rate" | "ramping-arrival-rate";
  /** Arrivals per second over time. */
  segments: RateSegment[];
  durationMs: number;
  preAllocatedVUs: number;
  maxVUs: number;
}

export interface NormalizedVuScenario extends NormalizedCommon {
  executor: "constant-vus" | "per-vu-iterations";
  vus: number;
  /** Per VU; Infinity for constant-vus. */
  iterations: number;
  durationMs: number;
}

export type NormalizedScenario = NormalizedArrivalScenario | NormalizedVuScenario;

export function isArrivalRate(scenario: NormalizedScenario): scenario is NormalizedArrivalScenario {
  return scenario.executor === "constant-arrival-rate" || scenario.executor === "ramping-arrival-rate";
}

/** The most VUs a scenario may use at once. */
export function maxVUsOf(scenario: NormalizedScenario): number {
  return isArrivalRate(scenario) ? scenario.maxVUs : scenario.vus;
}

export interface Overrides {
  /** Arrivals per second: sets constant-arrival-rate's rate and scales ramping-arrival-rate's peak to it. */
  rate?: number;
  /** Total duration: sets constant executors' duration, scales ramping stages, caps per-vu-iterations. */
  durationMs?: number;
  /** Virtual users: sets closed-model executors' vus, and arrival-rate executors' maxVUs (preAllocatedVUs lowered to it). */
  vus?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class Reader {
  readonly file: string;
  readonly prefix: string;
  readonly raw: Record<string, unknown>;

  constructor(file: string, prefix: string, raw: Record<string, unknown>) {
    this.file = file;
    this.prefix = prefix;
    this.raw = raw;
  }

  fail(field: string, problem: string): never {
    throw LoadError.invalidOption(this.file, `${this.prefix}.${field}`, problem);
  }

  duration(field: string, fallback?: number): number {
    const value = this.raw[field];
    if (value === undefined && fallback !== undefined) return fallback;
    const ms = parseDuration(value);
    if (ms === undefined) this.fail(field, `expected a duration like ${DURATION_EXAMPLES}, got ${JSON.stringify(value)}`);
    return ms;
  }

  number(field: string, options: { min: number; integer?: boolean; fallback?: number }): number {
    const value = this.raw[field];
    if (value === undefined && options.fallback !== undefined) return options.fallback;
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(field, `expected a number, got ${JSON.stringify(value)}`);
    if (options.integer && !Number.isInteger(value)) this.fail(field, `expected an integer, got ${value}`);
    if (value < options.min) this.fail(field, `must be at least ${options.min}, got ${value}`);
    return value;
  }

  tags(field: string): Record<string, string> {
    const value = this.raw[field];
    if (value === undefined) return {};
    if (!isRecord(value) || Object.values(value).some((v) => typeof v !== "string")) this.fail(field, "expected an object of string tags");
    return value as Record<string, string>;
  }

  string(field: string, fallback: string): string {
    const value = this.raw[field];
    if (value === undefined) return fallback;
    if (typeof value !== "string" || value.length === 0) this.fail(field, `expected a non-empty string, got ${JSON.stringify(value)}`);
    return value;
  }
}

const EXECUTORS = ["constant-arrival-rate", "ramping-arrival-rate", "constant-vus", "per-vu-iterations"];

function arrivalVUs(r: Reader, overrides: Overrides): { preAllocatedVUs: number; maxVUs: number } {
  const preAllocatedVUs = r.number("preAllocatedVUs", { min: 1, integer: true });
  const maxVUs = r.number("maxVUs", { min: preAllocatedVUs, integer: true, fallback: preAllocatedVUs });
  if (overrides.vus === undefined) return { preAllocatedVUs, maxVUs };
  return { preAllocatedVUs: Math.min(preAllocatedVUs, overrides.vus), maxVUs: overrides.vus };
}

function normalizeScenario(file: string, name: string, raw: unknown, overrides: Overrides): NormalizedScenario {
  if (!isRecord(raw)) throw LoadError.invalidOption(file, `options.scenarios.${name}`, "expected an object");
  const r: Reader = new Reader(file, `options.scenarios.${name}`, raw);
  const common = {
    name,
    exec: r.string("exec", "default"),
    startMs: r.duration("startTime", 0),
    gracefulStopMs: r.duration("gracefulStop", 30_000),
    tags: { ...r.tags("tags"), scenario: name },
  };
  const executor = raw.executor;
  switch (executor) {
    case "constant-arrival-rate": {
      const perSecond = (r.number("rate", { min: 0 }) * 1000) / r.duration("timeUnit", 1000);
      const rate = overrides.rate ?? perSecond;
      const durationMs = overrides.durationMs ?? r.duration("duration");
      const { preAllocatedVUs, maxVUs } = arrivalVUs(r, overrides);
      return { ...common, executor, segments: [{ from: rate, to: rate, durationMs }], durationMs, preAllocatedVUs, maxVUs };
    }
    case "ramping-arrival-rate": {
      const unitMs = r.duration("timeUnit", 1000);
      const stages: unknown[] = Array.isArray(raw.stages) ? raw.stages : [];
      if (stages.length === 0) r.fail("stages", "expected a non-empty array of { target, duration }");
      let previous = (r.number("startRate", { min: 0, fallback: 0 }) * 1000) / unitMs;
      const segments: RateSegment[] = stages.map((stage, index) => {
        if (!isRecord(stage)) r.fail(`stages[${index}]`, "expected { target, duration }");
        const s: Reader = new Reader(file, `options.scenarios.${name}.stages[${index}]`, stage);
        const target = (s.number("target", { min: 0 }) * 1000) / unitMs;
        const segment = { from: previous, to: target, durationMs: s.duration("duration") };
        previous = target;
        return segment;
      });
      const total = segments.reduce((sum, s) => sum + s.durationMs, 0);
      const peak = Math.max(...segments.map((s) => Math.max(s.from, s.to)));
      const timeScale = overrides.durationMs !== undefined && total > 0 ? overrides.durationMs / total : 1;
      const rateScale = overrides.rate !== undefined && peak > 0 ? overrides.rate / peak : 1;
      const scaled = segments.map((s) => ({ from: s.from * rateScale, to: s.to * rateScale, durationMs: s.durationMs * timeScale }));
      const { preAllocatedVUs, maxVUs } = arrivalVUs(r, overrides);
      return { ...common, executor, segments: scaled, durationMs: total * timeScale, preAllocatedVUs, maxVUs };
    }
    case "constant-vus": {
      const vus = overrides.vus ?? r.number("vus", { min: 1, integer: true });
      return { ...common, executor, vus, iterations: Number.POSITIVE_INFINITY, durationMs: overrides.durationMs ?? r.duration("duration") };
    }
    case "per-vu-iterations": {
      const vus = overrides.vus ?? r.number("vus", { min: 1, integer: true });
      const iterations = r.number("iterations", { min: 1, integer: true });
      return { ...common, executor, vus, iterations, durationMs: overrides.durationMs ?? r.duration("maxDuration", 600_000) };
    }
    default:
      return r.fail("executor", `expected one of ${EXECUTORS.join(", ")}, got ${JSON.stringify(executor)}`);
  }
}

/** Validates a scenario module's `options` and turns durations and rates into milliseconds and arrivals per second. */
export function normalizeScenarios(file: string, options: unknown, overrides: Overrides = {}): NormalizedScenario[] {
  if (!isRecord(options)) throw LoadError.invalidOption(file, "options", "the scenario module must export `options` as an object");
  const scenarios = options.scenarios;
  if (!isRecord(scenarios) || Object.keys(scenarios).length === 0) {
    throw LoadError.invalidOption(file, "options.scenarios", "expected an object with at least one named scenario");
  }
  return Object.entries(scenarios).map(([name, raw]) => normalizeScenario(file, name, raw, overrides));
}

/** Arrivals per second the arrival-rate scenarios intend at `atMs` from the start of the run. */
export function targetRateAt(scenarios: NormalizedScenario[], atMs: number): number {
  let total = 0;
  for (const scenario of scenarios) {
    if (!isArrivalRate(scenario)) continue;
    let t = atMs - scenario.startMs;
    if (t < 0) continue;
    for (const segment of scenario.segments) {
      if (t < segment.durationMs) {
        total += segment.from + ((segment.to - segment.from) * t) / segment.durationMs;
        break;
      }
      t -= segment.durationMs;
    }
  }
  return total;
}

/** Arrivals the arrival-rate scenarios intend in [fromMs, toMs) of the run: the integral of their rates. */
export function expectedArrivals(scenarios: NormalizedScenario[], fromMs: number, toMs: number): number {
  let total = 0;
  for (const scenario of scenarios) {
    if (!isArrivalRate(scenario)) continue;
    let segmentStart = scenario.startMs;
    for (const { from, to, durationMs } of scenario.segments) {
      const a = Math.max(fromMs, segmentStart);
      const b = Math.min(toMs, segmentStart + durationMs);
      if (b > a && durationMs > 0) {
        const rateAt = (t: number) => from + ((to - from) * (t - segmentStart)) / durationMs;
        total += ((rateAt(a) + rateAt(b)) / 2) * ((b - a) / 1000);
      }
      segmentStart += durationMs;
    }
  }
  return total;
}
