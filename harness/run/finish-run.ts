import { renderHtmlReport } from "../../reports/index.ts";
import {
  type ClusterSnapshot,
  type HealthCheckpoint,
  type NatsVersion,
  type RunRecord,
  SUMMARY_SCHEMA_VERSION,
  type SuiteResult,
  type Summary,
} from "../record/index.ts";
import { healthReasons } from "./health-gate.ts";

export interface RunOutcome {
  readonly startedAt: Date;
  readonly profile: string;
  readonly target: Summary["target"];
  readonly suites: SuiteResult[];
  readonly exitCode: number;
  readonly cluster: NonNullable<Summary["cluster"]>;
  /** The optional sections the suites produced (latency, failover, load), or a version matrix's comparison. */
  readonly sections: Pick<Summary, "latency" | "failover" | "load" | "versions">;
  /** Suite boundaries at which the system was unhealthy (`HealthGate`). */
  readonly health?: readonly HealthCheckpoint[];
  /** The nats-server release the run asked for (`--nats-version`); what the nodes run is read from the cluster snapshots. */
  readonly requestedNatsVersion?: string;
  /** Reasons beyond failed tests and health (a version matrix's disagreements). */
  readonly reasons?: readonly string[];
}

/** What the nodes' /varz reported (before the suites, else after), and what was asked for; undefined when neither is known. */
function natsVersionOf(cluster: RunOutcome["cluster"], requested: string | undefined): NatsVersion | undefined {
  const nodes: ClusterSnapshot["nodes"] = cluster.before?.nodes ?? cluster.after?.nodes ?? [];
  const reported = [...new Set(nodes.flatMap((node) => (node.version ? [node.version] : [])))];
  if (reported.length === 0 && requested === undefined) return undefined;
  return { ...(requested ? { requested } : {}), reported };
}

/** One line per failed test (or per suite that could not run), for the summary and the terminal. */
export function failureReasons(suites: readonly SuiteResult[]): string[] {
  return suites.flatMap((suite) => {
    const failed = suite.tests
      .filter((test) => test.state === "failed")
      .map((test) => `${suite.name}: ${test.fullName}: ${test.errors[0]?.message.split("\n")[0] ?? "failed"}`);
    if (suite.verdict === "error" && failed.length === 0) return [`${suite.name}: the suite could not run (see the log)`];
    return failed;
  });
}

/** Writes the run record's summary.json, junit.xml and index.html, and moves `latest` to it. */
export async function finishRun(record: RunRecord, outcome: RunOutcome): Promise<Summary> {
  const finishedAt = new Date();
  const natsVersion = natsVersionOf(outcome.cluster, outcome.requestedNatsVersion);
  const summary: Summary = {
    schema: SUMMARY_SCHEMA_VERSION,
    runId: record.id,
    startedAt: outcome.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - outcome.startedAt.getTime(),
    profile: outcome.profile,
    target: outcome.target,
    verdict: outcome.exitCode === 0 ? "pass" : outcome.exitCode === 2 ? "error" : "fail",
    exitCode: outcome.exitCode,
    reasons: [...(outcome.reasons ?? []), ...failureReasons(outcome.suites), ...healthReasons(outcome.health ?? [])],
    suites: outcome.suites,
    cluster: outcome.cluster,
    ...Object.fromEntries(Object.entries(outcome.sections).filter(([, section]) => section !== undefined)),
    ...(outcome.health && outcome.health.length > 0 ? { health: [...outcome.health] } : {}),
    ...(natsVersion ? { natsVersion } : {}),
  };
  record.finish(summary);
  await renderHtmlReport(record.dir);
  return summary;
}
