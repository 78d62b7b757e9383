import { join, relative, resolve } from "node:path";
import { GauntletError } from "../../../lib/errors/index.ts";
import {
  type Comparison,
  DEFAULT_TOLERANCES,
  defaultBaselineFile,
  loadReportModel,
  type ReportOptions,
  renderPage,
  saveBaseline,
  writeReport,
} from "../../../reports/index.ts";
import { readSummary, resolveRun } from "../../record/index.ts";
import { paint } from "../../ui/index.ts";
import { type Command, ExitCode, type ParsedOptions } from "../command.ts";
import { optionalString } from "../options.ts";

function percent(flag: string, value: ParsedOptions[string], fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (typeof value !== "string" || value.trim() === "" || !Number.isFinite(number) || number < 0) {
    throw new GauntletError(`${flag} must be a percentage ≥ 0, got ${JSON.stringify(value)}`);
  }
  return number;
}

export const command: Command = {
  name: "report",
  summary: "write a run's HTML report, compare it with the previous run and the baseline",
  usage: `Usage: gauntlet report [--run ID|latest] [--compare RUN-ID|previous|baseline] [--baseline]
                       [--runs-dir DIR] [--latency-tolerance PCT] [--throughput-tolerance PCT]
                       [--fail-on-regression]

Regenerates <run>/index.html from its summary.json. The page compares each key metric with
the previous run (or --compare RUN-ID) and with the saved baseline; --compare baseline compares
with the baseline only.
  --run ID                  the run to report on (default: latest)
  --baseline                save this run's key metrics as the baseline
                            (<runs-dir>/../baselines/baseline.json)
  --runs-dir DIR            where run records live (default: reports/runs)
  --latency-tolerance PCT   p99 may grow this much before it is a regression (default ${DEFAULT_TOLERANCES.latencyIncreasePct})
  --throughput-tolerance PCT  throughput may drop this much (default ${DEFAULT_TOLERANCES.throughputDropPct})
  --fail-on-regression      exit 1 when any comparison shows a regression
Exit 0 report written, 1 regression (with --fail-on-regression), 2 cannot report.`,
  options: {
    run: { type: "string" },
    compare: { type: "string" },
    baseline: { type: "boolean" },
    "runs-dir": { type: "string" },
    "latency-tolerance": { type: "string" },
    "throughput-tolerance": { type: "string" },
    "fail-on-regression": { type: "boolean" },
  },
  async run(options, _positionals, context) {
    const runsDir = resolve(context.repoRoot, optionalString(options["runs-dir"]) ?? join("reports", "runs"));
    const tolerances = {
      latencyIncreasePct: percent("--latency-tolerance", options["latency-tolerance"], DEFAULT_TOLERANCES.latencyIncreasePct),
      throughputDropPct: percent("--throughput-tolerance", options["throughput-tolerance"], DEFAULT_TOLERANCES.throughputDropPct),
    };
    const run = await resolveRun(runsDir, optionalString(options.run) ?? "latest");
    const baselineFile = defaultBaselineFile(run.dir);
    const out = context.stdout;
    if (options.baseline === true) {
      const saved = await saveBaseline(await readSummary(run.dir), baselineFile);
      out.write(`baseline ← run ${run.id} (${saved.metrics.length} key metrics) in ${relative(context.repoRoot, baselineFile)}\n`);
    }
    const compare = optionalString(options.compare);
    const reportOptions: ReportOptions = {
      tolerances,
      baselineFile,
      ...(compare === "baseline"
        ? { compareWith: null }
        : compare && compare !== "previous"
          ? { compareWith: (await resolveRun(runsDir, compare)).dir }
          : {}),
    };
    const model = await loadReportModel(run.dir, reportOptions);
    const file = await writeReport(run.dir, renderPage(model));
    const verdict = model.summary.verdict === "pass" ? paint(out, "green", "PASS") : paint(out, "red", model.summary.verdict.toUpperCase());
    out.write(`${verdict} run ${run.id} — report ${relative(context.repoRoot, file) || file}\n`);
    if (model.trends.length === 0) out.write("  no previous run and no baseline to compare with\n");
    for (const { label, comparison } of model.trends) writeComparison(out, label, comparison);
    const regressed = model.trends.some((view) => view.comparison.regressed);
    return regressed && options["fail-on-regression"] === true ? ExitCode.failed : ExitCode.ok;
  },
};

function writeComparison(out: NodeJS.WriteStream, label: string, comparison: Comparison): void {
  if (!comparison.regressed) {
    out.write(`  ${paint(out, "green", "✔")} no regression against the ${label} ${comparison.previousRunId}\n`);
    return;
  }
  out.write(`  ${paint(out, "red", "✖")} ${comparison.regressions.length} regressions against the ${label} ${comparison.previousRunId}:\n`);
  for (const line of comparison.regressions) out.write(`      ${line}\n`);
}
