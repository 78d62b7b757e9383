import type {
  Summary,
  VersionDisagreement,
  VersionFigure,
  VersionRun,
  VersionsSection,
  VersionVerdicts,
} from "../../harness/record/index.ts";
import { compareRuns, DEFAULT_TOLERANCES, type Tolerances } from "./compare-runs.ts";
import { keyMetrics } from "./key-metrics.ts";

/** One version's complete run of the profile, as its run record holds it. */
export interface VersionedRun {
  readonly version: string;
  /** Its run record's folder, relative to the matrix's. */
  readonly dir: string;
  readonly summary: Summary;
}

type Outcome = VersionVerdicts["outcomes"][number];
type Kind = VersionVerdicts["kind"];

interface Verdicts {
  readonly suites: Map<string, Outcome>;
  readonly tests: Map<string, { suite: string; outcome: Outcome }>;
  readonly experiments: Map<string, Outcome>;
  readonly thresholds: Map<string, Outcome>;
}

const TEST_OUTCOME = { passed: "pass", failed: "fail", skipped: "skipped" } as const;

function verdictsOf(summary: Summary): Verdicts {
  const verdicts: Verdicts = { suites: new Map(), tests: new Map(), experiments: new Map(), thresholds: new Map() };
  for (const suite of summary.suites) {
    verdicts.suites.set(suite.name, suite.verdict);
    for (const test of suite.tests)
      verdicts.tests.set(`${suite.name}: ${test.fullName || test.name}`, { suite: suite.name, outcome: TEST_OUTCOME[test.state] });
  }
  for (const experiment of summary.failover?.experiments ?? []) verdicts.experiments.set(experiment.name, experiment.verdict);
  for (const threshold of summary.load?.thresholds ?? [])
    verdicts.thresholds.set(
      `${threshold.scenario ? `${threshold.scenario} ` : ""}${threshold.metric} ${threshold.expression}`,
      threshold.pass ? "pass" : "fail",
    );
  return verdicts;
}

/** Names in the order the runs first mention them. */
function namesOf<T>(maps: readonly Map<string, T>[]): string[] {
  return [...new Set(maps.flatMap((map) => [...map.keys()]))];
}

const failing = (outcome: Outcome) => outcome === "fail" || outcome === "error";

function disagreement(name: string, outcomes: readonly Outcome[], versions: readonly string[]): VersionDisagreement | undefined {
  const failsOn = versions.filter((_, index) => failing(outcomes[index] ?? "absent"));
  const passesOn = versions.filter((_, index) => outcomes[index] === "pass");
  return failsOn.length > 0 && passesOn.length > 0 ? { name, failsOn, passesOn } : undefined;
}

function verdictRows(all: readonly Verdicts[], versions: readonly string[]) {
  const rows: VersionVerdicts[] = [];
  const disagreements: VersionDisagreement[] = [];
  const row = (kind: Kind, name: string, outcomes: Outcome[]) => rows.push({ kind, name, outcomes });
  for (const suite of namesOf(all.map((run) => run.suites))) {
    const suiteOutcomes = all.map((run) => run.suites.get(suite) ?? "absent");
    row("suite", suite, suiteOutcomes);
    const tests = namesOf(all.map((run) => run.tests)).filter((name) => all.some((run) => run.tests.get(name)?.suite === suite));
    const before = disagreements.length;
    for (const test of tests) {
      const outcomes = all.map((run) => run.tests.get(test)?.outcome ?? "absent");
      if (outcomes.every((outcome) => outcome === "pass") || outcomes.every((outcome) => outcome === "skipped")) continue;
      row("test", test, outcomes);
      const differs = disagreement(test, outcomes, versions);
      if (differs) disagreements.push(differs);
    }
    // A suite that could not run on one version has no test to show it: the suite itself disagrees.
    const differs = disagreements.length === before ? disagreement(suite, suiteOutcomes, versions) : undefined;
    if (differs) disagreements.push(differs);
  }
  for (const experiment of namesOf(all.map((run) => run.experiments)))
    row(
      "experiment",
      experiment,
      all.map((run) => run.experiments.get(experiment) ?? "absent"),
    );
  for (const threshold of namesOf(all.map((run) => run.thresholds)))
    row(
      "threshold",
      threshold,
      all.map((run) => run.thresholds.get(threshold) ?? "absent"),
    );
  return { rows, disagreements };
}

function figureRows(runs: readonly VersionedRun[], tolerances: Tolerances): VersionFigure[] {
  const [baseline, ...others] = runs.map((run) => keyMetrics(run.summary));
  if (!baseline) return [];
  const comparisons = others.map((metrics) => new Map(compareRuns(metrics, baseline, tolerances).metrics.map((m) => [m.id, m])));
  const valuesById = [baseline, ...others].map((metrics) => new Map(metrics.metrics.map((metric) => [metric.id, metric])));
  return namesOf(valuesById).map((id) => {
    const described = valuesById.map((byId) => byId.get(id)).find((metric) => metric !== undefined);
    const statuses = comparisons.map((byId) => byId.get(id)?.status);
    return {
      id,
      label: described?.label ?? id,
      kind: described?.kind ?? "count",
      unit: described?.unit ?? "",
      values: valuesById.map((byId) => byId.get(id)?.value ?? null),
      changePct: [null, ...comparisons.map((byId) => byId.get(id)?.changePct ?? null)],
      moved: statuses.some((status) => status === "regressed" || status === "improved"),
      worse: statuses.some((status) => status === "regressed"),
    };
  });
}

function reportedVersions(summary: Summary): string[] {
  if (summary.natsVersion) return summary.natsVersion.reported;
  const nodes = summary.cluster?.before?.nodes ?? summary.cluster?.after?.nodes ?? [];
  return [...new Set(nodes.flatMap((node) => (node.version ? [node.version] : [])))];
}

/**
 * The same profile run once per nats-server version, side by side: every suite, experiment and
 * threshold's verdict per version, what one version fails that another passes (the upgrade
 * gate), and the key figures per version with their change against the first version.
 * A pure function of the saved run records, so `gauntlet` can recompute it from them.
 */
export function compareVersions(runs: readonly VersionedRun[], tolerances: Partial<Tolerances> = {}): VersionsSection {
  const limits = { ...DEFAULT_TOLERANCES, ...tolerances };
  const versions = runs.map((run) => run.version);
  const { rows, disagreements } = verdictRows(
    runs.map((run) => verdictsOf(run.summary)),
    versions,
  );
  const summaries: VersionRun[] = runs.map((run) => ({
    version: run.version,
    reported: reportedVersions(run.summary),
    dir: run.dir,
    verdict: run.summary.verdict,
    exitCode: run.summary.exitCode,
    durationMs: run.summary.durationMs,
  }));
  return { runs: summaries, verdicts: rows, disagreements, figures: figureRows(runs, limits), tolerances: limits };
}

/**
 * The matrix's exit code: 1 when a version fails what another passes; else the worst of the runs'
 * (2 a run could not run, 1 failed, 99 only load thresholds, 0 all passed).
 */
export function versionsExitCode(section: VersionsSection): number {
  if (section.disagreements.length > 0) return 1;
  const codes = section.runs.map((run) => run.exitCode);
  for (const code of [2, 1, 99]) if (codes.includes(code)) return code;
  return codes.find((code) => code !== 0) ?? 0;
}

/** One line per disagreement, for the summary's reasons and the terminal. */
export function disagreementLines(section: VersionsSection): string[] {
  return section.disagreements.map(
    (entry) =>
      `nats ${entry.failsOn.join(", ")} ${entry.failsOn.length === 1 ? "fails" : "fail"} ${entry.name}, which ${entry.passesOn.join(", ")} ${entry.passesOn.length === 1 ? "passes" : "pass"}`,
  );
}
