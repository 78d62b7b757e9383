import type { SuiteResult } from "../record/index.ts";
import type { LoadResult } from "./result.ts";

/**
 * A load run as a suite of the run record's summary: one test per threshold (k6's verdict
 * units), named `<metric key>: <expression>`, plus one for an early abort and one per lost agent.
 */
/** A load run that could not go ahead (its module, options or setup failed): a suite in error, its one test saying why. */
export function notRunSuiteResult(name: string, file: string, error: unknown): SuiteResult {
  const message = error instanceof Error ? error.message : String(error);
  const test = { name: "ran", fullName: `${name} › ran`, file, state: "failed" as const, durationMs: 0, errors: [{ message }] };
  return { name, verdict: "error", durationMs: 0, tests: [test] };
}

export function toSuiteResult(name: string, result: LoadResult): SuiteResult {
  const tests: SuiteResult["tests"] = result.thresholds.map((t) => {
    const fullName = `${t.key}: ${t.expression}`;
    const actual = t.actual === null ? (t.reason ?? "no samples") : `actual ${t.actual}`;
    return {
      name: fullName,
      fullName: `${name} › ${fullName}`,
      file: result.file,
      state: t.passed ? "passed" : "failed",
      durationMs: result.durationMs,
      errors: t.passed ? [] : [{ message: `threshold ${fullName} failed (${actual})` }],
    };
  });
  if (result.aborted) {
    tests.push({
      name: "ran to the end",
      fullName: `${name} › ran to the end`,
      file: result.file,
      state: "failed",
      durationMs: result.durationMs,
      errors: [{ message: `stopped early: ${result.aborted}` }],
    });
  }
  for (const agent of result.agents ?? []) {
    if (!agent.lost) continue;
    tests.push({
      name: `agent ${agent.name} ran to the end`,
      fullName: `${name} › agent ${agent.name} ran to the end`,
      file: result.file,
      state: "failed",
      durationMs: result.durationMs,
      errors: [{ message: `load agent ${agent.name}: ${agent.behind}` }],
    });
  }
  return { name, verdict: result.passed && !result.aborted ? "pass" : "fail", durationMs: result.durationMs, tests };
}
