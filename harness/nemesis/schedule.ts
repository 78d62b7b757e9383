import { FAULT_KINDS, type FaultKind, type FaultSpec } from "./faults/index.ts";
import { between, mulberry32, pick, type Random, sample } from "./prng.ts";
import { NemesisError } from "./target.ts";

/** One fault of the faults phase: injected, held for `holdMs`, healed, then `gapMs` of calm. */
export interface FaultStep {
  readonly fault: FaultSpec;
  readonly holdMs: number;
  readonly gapMs: number;
}

export type Phase =
  | { readonly phase: "quiet"; readonly durationMs: number }
  | { readonly phase: "faults"; readonly steps: readonly FaultStep[] }
  | { readonly phase: "heal"; readonly timeoutMs: number }
  | { readonly phase: "drain"; readonly durationMs: number };

/** Quiet → faults → heal → drain, as data: print it, save it, replay it from its seed. */
export interface Schedule {
  readonly seed: number;
  readonly phases: readonly Phase[];
}

export interface ScheduleOptions {
  readonly seed: number;
  /** Node names the faults may pick from. */
  readonly nodes: readonly string[];
  /** Fault kinds to draw from. */
  readonly faults: readonly FaultKind[];
  readonly quietMs: number;
  /** Length of the faults phase: steps are drawn until their holds and gaps fill it. */
  readonly faultsMs: number;
  readonly drainMs: number;
  /** [min, max] a fault is held; default [2000, 5000]. */
  readonly holdMs?: readonly [number, number];
  /** [min, max] of calm after each heal; default [1000, 3000]. */
  readonly gapMs?: readonly [number, number];
  /** How long the heal phase waits for the cluster to re-form; default 60 s. */
  readonly healTimeoutMs?: number;
  /** Streams for leader faults (isolate-stream-leader, kill-stream-leader). */
  readonly streams?: readonly string[];
  /** Replica names for kill-service-replica / kill-gateway-replica. */
  readonly services?: readonly string[];
  readonly gateways?: readonly string[];
}

const invalid = (field: string, problem: string) => new NemesisError(`schedule: ${field}: ${problem}`);

function checkDuration(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw invalid(field, `must be a whole number of milliseconds ≥ 0, got ${value}`);
}

function checkRange(field: string, range: readonly [number, number]): void {
  checkDuration(`${field}[0]`, range[0]);
  checkDuration(`${field}[1]`, range[1]);
  if (range[0] > range[1]) throw invalid(field, `min ${range[0]} is above max ${range[1]}`);
}

function validate(options: ScheduleOptions): void {
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff)
    throw invalid("seed", `must be a whole number in [0, 2^32), got ${options.seed}`);
  if (options.nodes.length === 0) throw invalid("nodes", "needs at least one node");
  if (options.faults.length === 0) throw invalid("faults", "needs at least one fault kind");
  for (const kind of options.faults) {
    if (!FAULT_KINDS.includes(kind)) throw invalid("faults", `unknown fault "${kind}" (known: ${FAULT_KINDS.join(", ")})`);
    if ((kind === "isolate-stream-leader" || kind === "kill-stream-leader") && !options.streams?.length)
      throw invalid("streams", `fault ${kind} needs at least one stream`);
    if (kind === "kill-service-replica" && !options.services?.length) throw invalid("services", `fault ${kind} needs service replicas`);
    if (kind === "kill-gateway-replica" && !options.gateways?.length) throw invalid("gateways", `fault ${kind} needs gateway replicas`);
    if (kind === "partition-minority" && options.nodes.length < 3) throw invalid("nodes", `fault ${kind} needs at least 3 nodes`);
  }
  checkDuration("quietMs", options.quietMs);
  checkDuration("faultsMs", options.faultsMs);
  checkDuration("drainMs", options.drainMs);
  if (options.healTimeoutMs !== undefined) checkDuration("healTimeoutMs", options.healTimeoutMs);
  if (options.holdMs) checkRange("holdMs", options.holdMs);
  if (options.gapMs) checkRange("gapMs", options.gapMs);
}

/** A fault of `kind` with every random choice made now, so the schedule alone replays the run. */
function drawFault(kind: FaultKind, random: Random, options: ScheduleOptions): FaultSpec {
  switch (kind) {
    case "kill-node":
    case "pause-node":
      return { kind, node: pick(random, options.nodes) };
    case "stop-node":
      return { kind, node: pick(random, options.nodes), lameDuck: random() < 0.5 };
    case "rolling-restart":
      return { kind, lameDuck: true };
    case "partition-minority":
      return { kind, nodes: sample(random, options.nodes, Math.floor((options.nodes.length - 1) / 2)) };
    case "isolate-meta-leader":
      return { kind };
    case "isolate-stream-leader":
    case "kill-stream-leader":
      return { kind, stream: pick(random, options.streams ?? []) };
    case "kill-service-replica":
      return { kind, replica: pick(random, options.services ?? []) };
    case "kill-gateway-replica":
      return { kind, replica: pick(random, options.gateways ?? []) };
  }
}

/** The same options and seed give the same schedule, always. */
export function generateSchedule(options: ScheduleOptions): Schedule {
  validate(options);
  const random = mulberry32(options.seed);
  const [holdMin, holdMax] = options.holdMs ?? [2_000, 5_000];
  const [gapMin, gapMax] = options.gapMs ?? [1_000, 3_000];
  const steps: FaultStep[] = [];
  let elapsed = 0;
  while (elapsed < options.faultsMs) {
    const fault = drawFault(pick(random, options.faults), random, options);
    const step = { fault, holdMs: between(random, holdMin, holdMax), gapMs: between(random, gapMin, gapMax) };
    steps.push(step);
    elapsed += Math.max(1, step.holdMs + step.gapMs);
  }
  return {
    seed: options.seed,
    phases: [
      { phase: "quiet", durationMs: options.quietMs },
      { phase: "faults", steps },
      { phase: "heal", timeoutMs: options.healTimeoutMs ?? 60_000 },
      { phase: "drain", durationMs: options.drainMs },
    ],
  };
}

/** A fresh seed for a new run (printed, so the run can be replayed); not for picks inside a run. */
export function newSeed(): number {
  return Number(process.hrtime.bigint() % 0xffffffffn);
}
