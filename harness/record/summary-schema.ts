import { z } from "zod";

/**
 * The run record's `summary.json`: a stable, versioned contract. Additive changes keep the
 * version; a removal or a change of meaning bumps it. Suites add their own optional sections.
 */
export const SUMMARY_SCHEMA_VERSION = "gauntlet.summary/v1";

export const TestResult = z.object({
  name: z.string(),
  fullName: z.string(),
  file: z.string(),
  state: z.enum(["passed", "failed", "skipped"]),
  durationMs: z.number(),
  errors: z.array(z.object({ message: z.string(), stack: z.string().optional() })),
  /** Why a skipped test was skipped, when it said (e.g. a fault the target cannot take). */
  note: z.string().optional(),
});
export type TestResult = z.infer<typeof TestResult>;

export const SuiteResult = z.object({
  name: z.string(),
  verdict: z.enum(["pass", "fail", "error"]),
  durationMs: z.number(),
  tests: z.array(TestResult),
});
export type SuiteResult = z.infer<typeof SuiteResult>;

/**
 * Optional sections below are added by suites as they land. Time axes: every `t`, `start`
 * and `end` is in seconds since the run's `startedAt`, so load, failover and fault windows
 * share one axis. Latencies are in milliseconds.
 */
const count = z.number().int().nonnegative();
const ms = z.number().nonnegative();

export const EndpointLatency = z.object({
  endpoint: z.string().min(1),
  count,
  errors: count.optional(),
  p50: ms,
  p90: ms,
  p99: ms,
  max: ms,
});
export type EndpointLatency = z.infer<typeof EndpointLatency>;

export const LatencySection = z.object({ endpoints: z.array(EndpointLatency) });
export type LatencySection = z.infer<typeof LatencySection>;

/** One second (or one bucket) of a time series: completed operations per second, errors in the bucket, latency percentiles. */
export const TimePoint = z.object({ t: z.number(), rate: z.number().nonnegative(), errors: count, p50: ms, p99: ms });
export type TimePoint = z.infer<typeof TimePoint>;

export const FaultWindow = z.object({ start: z.number(), end: z.number(), fault: z.string().min(1) });
export type FaultWindow = z.infer<typeof FaultWindow>;

export const LoadThreshold = z.object({
  metric: z.string().min(1),
  expression: z.string().min(1),
  pass: z.boolean(),
  actual: z.number().nullable(),
  scenario: z.string().optional(),
});
export type LoadThreshold = z.infer<typeof LoadThreshold>;

export const LoadScenario = z.object({
  name: z.string().min(1),
  executor: z.string().min(1),
  protocol: z.string().optional(),
  durationS: z.number().nonnegative().optional(),
  iterations: count.optional(),
  droppedIterations: count.optional(),
  errors: count.optional(),
});
export type LoadScenario = z.infer<typeof LoadScenario>;

/** A latency histogram: `count` operations took at most `upToMs` (and more than the previous bucket's bound). */
export const LatencyHistogram = z.object({
  metric: z.string().min(1),
  buckets: z.array(z.object({ upToMs: ms, count })),
});
export type LatencyHistogram = z.infer<typeof LatencyHistogram>;

/** A load agent's part in a load run (`gauntlet load --agents`, a profile's `load.agents`). */
export const LoadAgent = z.object({
  scenario: z.string().min(1),
  name: z.string().min(1),
  host: z.string(),
  workers: count,
  /** Its fraction of the run's load, 0–1. */
  share: z.number().min(0).max(1),
  started: count,
  dropped: count,
  errors: count,
  cpuMaxPercent: z.number().nonnegative(),
  rssMaxBytes: count,
  /** Why it could not keep its share (iterations it dropped, or lost), or null. */
  behind: z.string().nullable(),
});
export type LoadAgent = z.infer<typeof LoadAgent>;

export const LoadSection = z.object({
  scenarios: z.array(LoadScenario),
  agents: z.array(LoadAgent).optional(),
  timeSeries: z.array(TimePoint),
  thresholds: z.array(LoadThreshold),
  histograms: z.array(LatencyHistogram).optional(),
  faultWindows: z.array(FaultWindow).optional(),
});
export type LoadSection = z.infer<typeof LoadSection>;

/** Checker counts as Jepsen's queue checker: lost, duplicated, unexpected; other named counts (recovered, reordered, stale…) are shown as they come. */
export const CheckerCounts = z.object({ lost: count, duplicated: count, unexpected: count }).catchall(count);
export type CheckerCounts = z.infer<typeof CheckerCounts>;

/** How finely an experiment sampled one figure: the spacing of its attempts (all clients merged). */
export const AttemptSpacing = z.object({
  attempts: count,
  /** The widest gap between consecutive attempts: an unavailability shorter than this could go unseen. */
  widestGapMs: ms,
  p99GapMs: ms,
});
export type AttemptSpacing = z.infer<typeof AttemptSpacing>;

export const FailoverExperiment = z.object({
  name: z.string().min(1),
  fault: z.string().min(1),
  verdict: z.enum(["pass", "fail", "error"]),
  reason: z.string().optional(),
  durationMs: ms.optional(),
  checkers: CheckerCounts,
  /** Longest gap between two successful operations of one client, in ms. */
  maxUnavailableMs: ms.optional(),
  /** What the unavailability figures are good to: the spacing of publish attempts (jetstream) and gateway requests, and the bound it was held to. */
  resolution: z
    .object({
      jetstream: AttemptSpacing.optional(),
      gateway: AttemptSpacing.optional(),
      boundMs: ms.optional(),
      /** Where the attempts were scheduled from, e.g. `own process (rr 10)`. */
      workloads: z.string().optional(),
    })
    .optional(),
  /** What fails nothing but qualifies the figures (e.g. a resolution coarser than the bound). */
  warnings: z.array(z.string()).optional(),
  faultWindows: z.array(FaultWindow),
});
export type FailoverExperiment = z.infer<typeof FailoverExperiment>;

export const FailoverSection = z.object({
  experiments: z.array(FailoverExperiment),
  timeSeries: z.array(TimePoint),
});
export type FailoverSection = z.infer<typeof FailoverSection>;

export const ClusterSnapshot = z.object({
  at: z.string().optional(),
  nodes: z.array(z.object({ name: z.string().min(1), up: z.boolean(), jetstream: z.boolean().optional(), version: z.string().optional() })),
  metaLeader: z.string().nullable(),
  streams: z.array(
    z.object({
      name: z.string().min(1),
      replicas: z.number().int().positive(),
      /** Replicas that are current (leader included). */
      current: count,
      leader: z.string().nullable().optional(),
      messages: count.optional(),
    }),
  ),
});
export type ClusterSnapshot = z.infer<typeof ClusterSnapshot>;

/**
 * What `gauntlet run` found between two suites when the system was not healthy: the doctor's
 * checks, every gateway's /readyz and every service's discovery answer, after a settle time.
 */
export const HealthCheckpoint = z.object({
  /** The suite that ran last and left the system so. */
  after: z.string().min(1),
  /** The suite about to start. */
  before: z.string().min(1),
  problems: z.array(z.string()).min(1),
  /** restarted: the local stack was started afresh and was healthy; degraded: the next suite ran on the system as it was. */
  action: z.enum(["restarted", "degraded"]),
  /** Why a degraded system was not restarted, or what was still wrong after the restart. */
  detail: z.string().optional(),
});
export type HealthCheckpoint = z.infer<typeof HealthCheckpoint>;

/** The nats-server a run ran on: the release asked for (`--nats-version`), and what every node's /varz reported. */
export const NatsVersion = z.object({
  requested: z.string().min(1).optional(),
  /** Distinct versions the nodes reported, in node order. */
  reported: z.array(z.string().min(1)),
});
export type NatsVersion = z.infer<typeof NatsVersion>;

/** One version's complete run in a version matrix: its own run record, in a folder of the matrix's. */
export const VersionRun = z.object({
  version: z.string().min(1),
  reported: z.array(z.string().min(1)),
  /** The run record's folder, relative to the matrix's. */
  dir: z.string().min(1),
  verdict: z.enum(["pass", "fail", "error"]),
  exitCode: z.number().int(),
  durationMs: ms,
});
export type VersionRun = z.infer<typeof VersionRun>;

/** What each version made of one suite, test, failover experiment or load threshold; `absent` where it did not run it. */
export const VersionVerdicts = z.object({
  kind: z.enum(["suite", "test", "experiment", "threshold"]),
  name: z.string().min(1),
  /** One per run, in the order of `runs`. */
  outcomes: z.array(z.enum(["pass", "fail", "error", "skipped", "absent"])),
});
export type VersionVerdicts = z.infer<typeof VersionVerdicts>;

/** A key figure (p99, throughput, unavailability window, checker count) per version, and its change against the first version. */
export const VersionFigure = z.object({
  id: z.string().min(1),
  label: z.string().min(1),
  kind: z.enum(["latency", "throughput", "count"]),
  unit: z.string(),
  values: z.array(z.number().nullable()),
  /** Change against the first version in percent, per run; null for the first, or without a base. */
  changePct: z.array(z.number().nullable()),
  /** Beyond tolerance against the first version for some version (worse or better). */
  moved: z.boolean(),
  worse: z.boolean(),
});
export type VersionFigure = z.infer<typeof VersionFigure>;

/** Something one version fails (or errs on) that another passes: each makes the matrix exit 1. */
export const VersionDisagreement = z.object({
  name: z.string().min(1),
  failsOn: z.array(z.string().min(1)).min(1),
  passesOn: z.array(z.string().min(1)).min(1),
});
export type VersionDisagreement = z.infer<typeof VersionDisagreement>;

/** `gauntlet run --nats-version A,B`: the same profile once per nats-server version, compared. */
export const VersionsSection = z.object({
  runs: z.array(VersionRun).min(2),
  /** Suites, experiments and thresholds always; tests only where some version did not pass them. */
  verdicts: z.array(VersionVerdicts),
  disagreements: z.array(VersionDisagreement),
  figures: z.array(VersionFigure),
  tolerances: z.object({ latencyIncreasePct: z.number().nonnegative(), throughputDropPct: z.number().nonnegative() }),
});
export type VersionsSection = z.infer<typeof VersionsSection>;

export const Summary = z.object({
  schema: z.literal(SUMMARY_SCHEMA_VERSION),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  profile: z.string(),
  target: z.object({ kind: z.enum(["local", "file"]), path: z.string().optional(), nodes: z.number().int() }),
  verdict: z.enum(["pass", "fail", "error"]),
  exitCode: z.number().int(),
  reasons: z.array(z.string()),
  suites: z.array(SuiteResult),
  cluster: z.object({ before: ClusterSnapshot.optional(), after: ClusterSnapshot.optional() }).optional(),
  latency: LatencySection.optional(),
  load: LoadSection.optional(),
  failover: FailoverSection.optional(),
  /** Only the suite boundaries at which the system was unhealthy; absent or empty when it was healthy between every two suites. */
  health: z.array(HealthCheckpoint).optional(),
  natsVersion: NatsVersion.optional(),
  versions: VersionsSection.optional(),
});
export type Summary = z.infer<typeof Summary>;
