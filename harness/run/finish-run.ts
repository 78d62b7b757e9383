import { renderHtmlReport } from "../../reports/index.ts";
import { type HealthCheckpoint, type RunRecord, SUMMARY_SCHEMA_VERSION, type SuiteResult, type Summary } from "../record/index.ts";
import { healthReasons } from "./health-gate.ts";

export interface RunOutcome {
  readonly startedAt: Date;
  readonly profile: string;
  readonly target: Summary["target"];
  readonly suites: SuiteResult[];
  readonly exitCode: number;
  readonly cluster: NonNullable<Summary["cluster"]>;
  /** The optional sections the suites produced (latency, failover, load). */
  readonly sections: Pick<Summary, "latency" | "failover" | "load">;
  /** Suite boundaries at which the system was unhealthy (`HealthGate`). */
  readonly health?: readonly HealthCheckpoint[];
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
    reasons: [...failureReasons(outcome.suites), ...healthReasons(outcome.health ?? [])],
    suites: outcome.suites,
    cluster: outcome.cluster,
    ...Object.fromEntries(Object.entries(outcome.sections).filter(([, section]) => section !== undefined)),
    ...(outcome.health && outcome.health.length > 0 ? { health: [...outcome.health] } : {}),
  };
  record.finish(summary);
  await renderHtmlReport(record.dir);
  return summary;
}
