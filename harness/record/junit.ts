import { basename } from "node:path";
import type { FailoverExperiment, LoadThreshold, SuiteResult, Summary, TestResult } from "./summary-schema.ts";
import { element, escapeXmlText } from "./xml.ts";

interface Case {
  name: string;
  classname: string;
  file?: string;
  seconds: number;
  outcome:
    | { kind: "passed" }
    | { kind: "skipped"; message?: string }
    | { kind: "failure" | "error"; message: string; type: string; details: string };
}

interface Suite {
  name: string;
  seconds: number;
  cases: Case[];
}

/**
 * The run as JUnit XML in the dialect GitHub (test-reporter, publish-unit-test-result), GitLab and
 * Jenkins all read: one `<testsuite>` per suite, one `<testcase>` per e2e test, per fault
 * experiment and per load threshold; failures carry a one-line message and the full details.
 */
export function toJUnit(summary: Summary): string {
  const suites = [...summary.suites.map(fromSuiteResult)];
  if (summary.failover && summary.failover.experiments.length > 0) suites.push(fromExperiments(summary.failover.experiments));
  if (summary.load && summary.load.thresholds.length > 0) suites.push(fromThresholds(summary.load.thresholds));
  const totals = tally(suites.flatMap((suite) => suite.cases));
  const body = suites.map((suite) => renderSuite(suite, summary.startedAt));
  const root = element(
    "testsuites",
    {
      name: `gauntlet ${summary.runId} (${summary.profile})`,
      tests: totals.tests,
      failures: totals.failures,
      errors: totals.errors,
      skipped: totals.skipped,
      time: seconds(summary.durationMs),
      timestamp: summary.startedAt,
    },
    body.length > 0 ? `\n${body.join("\n")}\n` : undefined,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}

function fromSuiteResult(suite: SuiteResult): Suite {
  const cases = suite.tests.map((test) => fromTest(suite.name, test));
  const hasFailingCase = cases.some((c) => c.outcome.kind === "failure" || c.outcome.kind === "error");
  if (suite.verdict !== "pass" && !hasFailingCase) {
    // A suite that failed outside any test (crashed, timed out in a hook) must still turn CI red.
    cases.push({
      name: `${suite.name} (suite ${suite.verdict === "error" ? "error" : "failure"})`,
      classname: suite.name,
      seconds: 0,
      outcome: {
        kind: suite.verdict === "error" ? "error" : "failure",
        type: "SuiteFailure",
        message: `suite ${suite.name} ended with verdict '${suite.verdict}' but no test failed`,
        details: `The suite's verdict is '${suite.verdict}' and none of its ${suite.tests.length} tests reports a failure: see the run log.`,
      },
    });
  }
  return { name: suite.name, seconds: suite.durationMs / 1000, cases };
}

function fromTest(suiteName: string, test: TestResult): Case {
  const stem = basename(test.file)
    .replace(/\.(test|spec)\.[cm]?[jt]s$/, "")
    .replace(/\.[cm]?[jt]s$/, "");
  const base = {
    name: test.fullName || test.name,
    classname: stem ? `${suiteName}.${stem}` : suiteName,
    file: test.file,
    seconds: test.durationMs / 1000,
  };
  if (test.state === "skipped") return { ...base, outcome: { kind: "skipped", ...(test.note ? { message: test.note } : {}) } };
  if (test.state === "passed") return { ...base, outcome: { kind: "passed" } };
  const first = test.errors[0]?.message ?? "failed without an error message";
  return {
    ...base,
    outcome: {
      kind: "failure",
      type: /^([A-Za-z]*Error)\b/.exec(first)?.[1] ?? "AssertionError",
      message: firstLine(first),
      details: test.errors.map((error) => error.stack ?? error.message).join("\n\n") || first,
    },
  };
}

function fromExperiments(experiments: FailoverExperiment[]): Suite {
  const cases = experiments.map((experiment): Case => {
    const base = { name: experiment.name, classname: `failover.${experiment.fault}`, seconds: (experiment.durationMs ?? 0) / 1000 };
    if (experiment.verdict === "pass") return { ...base, outcome: { kind: "passed" } };
    const counts = Object.entries(experiment.checkers).map(([name, value]) => `${name}=${value}`);
    const windows = experiment.faultWindows.map((w) => `${w.fault} from ${w.start.toFixed(1)} s to ${w.end.toFixed(1)} s`);
    return {
      ...base,
      outcome: {
        kind: experiment.verdict === "error" ? "error" : "failure",
        type: experiment.verdict === "error" ? "ExperimentError" : "CheckerFailure",
        message: experiment.reason ?? `checkers: ${counts.join(", ")}`,
        details: [
          `fault: ${experiment.fault}`,
          `checkers: ${counts.join(", ")}`,
          ...(experiment.maxUnavailableMs === undefined
            ? []
            : [
                `longest unavailability: ${experiment.maxUnavailableMs} ms${experiment.resolution?.jetstream ? ` (publish attempts ≤ ${experiment.resolution.jetstream.widestGapMs} ms apart)` : ""}`,
              ]),
          ...(experiment.warnings ?? []),
          ...(windows.length > 0 ? [`fault windows: ${windows.join("; ")}`] : []),
        ].join("\n"),
      },
    };
  });
  return { name: "failover experiments", seconds: cases.reduce((total, c) => total + c.seconds, 0), cases };
}

function fromThresholds(thresholds: LoadThreshold[]): Suite {
  const cases = thresholds.map((threshold): Case => {
    const scenario = threshold.scenario ? `${threshold.scenario}: ` : "";
    const base = {
      name: `${scenario}${threshold.metric} ${threshold.expression}`,
      classname: `load.${threshold.scenario ?? "thresholds"}`,
      seconds: 0,
    };
    if (threshold.pass) return { ...base, outcome: { kind: "passed" } };
    const actual = threshold.actual === null ? "no samples" : `actual ${threshold.actual}`;
    return {
      ...base,
      outcome: {
        kind: "failure",
        type: "ThresholdFailure",
        message: `${threshold.metric} ${threshold.expression} crossed: ${actual}`,
        details: `threshold '${threshold.expression}' on ${threshold.metric}${threshold.scenario ? ` (scenario ${threshold.scenario})` : ""} failed: ${actual}`,
      },
    };
  });
  return { name: "load thresholds", seconds: 0, cases };
}

function renderSuite(suite: Suite, timestamp: string): string {
  const totals = tally(suite.cases);
  const cases = suite.cases.map((c) => `    ${renderCase(c)}`);
  return `  ${element(
    "testsuite",
    {
      name: suite.name,
      tests: totals.tests,
      failures: totals.failures,
      errors: totals.errors,
      skipped: totals.skipped,
      time: suite.seconds.toFixed(3),
      timestamp,
    },
    cases.length > 0 ? `\n${cases.join("\n")}\n  ` : undefined,
  )}`;
}

function renderCase(c: Case): string {
  const attributes = { name: c.name, classname: c.classname, file: c.file, time: c.seconds.toFixed(3) };
  switch (c.outcome.kind) {
    case "passed":
      return element("testcase", attributes);
    case "skipped":
      return element("testcase", attributes, element("skipped", c.outcome.message ? { message: c.outcome.message } : {}));
    default:
      return element(
        "testcase",
        attributes,
        element(c.outcome.kind, { message: c.outcome.message, type: c.outcome.type }, escapeXmlText(c.outcome.details)),
      );
  }
}

function tally(cases: Case[]) {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome.kind === "failure").length,
    errors: cases.filter((c) => c.outcome.kind === "error").length,
    skipped: cases.filter((c) => c.outcome.kind === "skipped").length,
  };
}

function seconds(durationMs: number): string {
  return (durationMs / 1000).toFixed(3);
}

function firstLine(text: string): string {
  const line = text.split("\n").find((candidate) => candidate.trim() !== "") ?? text;
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
