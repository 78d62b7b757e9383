import { join } from "node:path";
import { renderHtmlReport } from "../../../reports/index.ts";
import type { SuiteResult, Summary } from "../../../reports/summary-schema.ts";
import { SUMMARY_SCHEMA_VERSION } from "../../../reports/summary-schema.ts";
import { LATENCY_LOG } from "../../../suites/support/latency-log.ts";
import type { Target } from "../../config/index.ts";
import { loadTarget } from "../../config/index.ts";
import { recordClusterState } from "../../probes/index.ts";
import { summarizeLatency } from "../../run/latency-summary.ts";
import { RunRecord } from "../../run/run-record-writer.ts";
import { runSuite } from "../../run/suite-runner.ts";
import { type StartedLocalStack, startLocalStack } from "../../stack/index.ts";
import { paint, TaskList } from "../../ui/index.ts";
import { type Command, type CommandContext, ExitCode } from "../command.ts";
import { optionalString } from "../options.ts";
import { fleetChoice, nodesOption, stackOptionSpec, stackOptionUsage } from "../stack-options.ts";

const SUITES: ReadonlyArray<{ name: string; include: string[] }> = [{ name: "e2e", include: ["suites/e2e/**/*.test.ts"] }];

const clusterState = (target: Target) => recordClusterState(target.nats.monitoring, target.expect.nodes);

async function runSuites(target: Target, record: RunRecord, context: CommandContext): Promise<SuiteResult[]> {
  const results: SuiteResult[] = [];
  const env = { GAUNTLET_TARGET: target.file, GAUNTLET_RUN_DIR: record.dir };
  for (const suite of SUITES) {
    context.signal.throwIfAborted();
    context.stderr.write(`\n▶ suite ${suite.name}\n`);
    results.push(await runSuite({ ...suite, repoRoot: context.repoRoot, env, signal: context.signal }));
  }
  return results;
}

export const command: Command = {
  name: "run",
  summary: "bring the system up (or use --target), run the suites, write the run record",
  usage: `Usage: gauntlet run [--target FILE | stack options] [--runs-dir DIR]

Without --target: starts the local stack (as 'gauntlet up'), runs the suites against it,
stops it. With --target: runs the suites against that system. Writes
reports/runs/<run-id>/ (summary.json, junit.xml) and points reports/runs/latest at it.
Exit 0 pass, 1 a test failed, 2 the harness could not run.

  --target FILE        run against that system instead of a local stack
  --runs-dir DIR       where run records go (default reports/runs)
${stackOptionUsage}`,
  options: { ...stackOptionSpec, target: { type: "string" }, "runs-dir": { type: "string" } },
  async run(options, _positionals, context) {
    const startedAt = new Date();
    const targetFile = optionalString(options.target);
    const nodes = nodesOption(options);
    const fleet = fleetChoice(options);
    const target = targetFile ? await loadTarget(targetFile) : undefined;
    const progress = new TaskList(context.stderr, { quietBelowMs: 0 });
    let stack: StartedLocalStack | undefined;
    try {
      if (!target) stack = await startLocalStack({ nodes, fleet, progress, signal: context.signal }).finally(() => progress.finish());
      const system = target ?? (await loadTarget((stack as StartedLocalStack).targetFile));
      const record = new RunRecord(optionalString(options["runs-dir"]) ?? join(context.repoRoot, "reports", "runs"));
      const before = await clusterState(system);
      const suites = await runSuites(system, record, context);
      const after = await clusterState(system);
      const failed = suites.filter((suite) => suite.verdict !== "pass");
      const exitCode = failed.length === 0 ? ExitCode.ok : ExitCode.failed;
      const reasons = failed.flatMap((suite) =>
        suite.tests
          .filter((test) => test.state === "failed")
          .map((test) => `${suite.name}: ${test.fullName}: ${test.errors[0]?.message ?? "failed"}`),
      );
      if (failed.some((suite) => suite.verdict === "error")) reasons.push("a suite could not run: see the log");
      const finishedAt = new Date();
      const summary: Summary = {
        schema: SUMMARY_SCHEMA_VERSION,
        runId: record.id,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: finishedAt.getTime() - startedAt.getTime(),
        profile: "default",
        target: target ? { kind: "file", path: target.file, nodes: target.expect.nodes } : { kind: "local", nodes },
        verdict: exitCode === ExitCode.ok ? "pass" : "fail",
        exitCode,
        reasons,
        suites,
        cluster: { before, after },
      };
      const latency = summarizeLatency(record.path(LATENCY_LOG));
      if (latency) summary.latency = latency;
      record.finish(summary);
      await renderHtmlReport(record.dir);
      const out = context.stdout;
      const verdict = exitCode === ExitCode.ok ? paint(out, "green", "PASS") : paint(out, "red", "FAIL");
      out.write(`\n${verdict} — run record ${record.dir} (open index.html)\n`);
      for (const reason of reasons) out.write(`  ✖ ${reason}\n`);
      return exitCode;
    } finally {
      await stack?.stop();
    }
  },
};
