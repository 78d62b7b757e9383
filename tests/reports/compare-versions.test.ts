import { describe, expect, it } from "vitest";
import { type Summary, VersionsSection } from "../../harness/record/index.ts";
import { compareVersions, disagreementLines, versionsExitCode } from "../../reports/trends/index.ts";
import { realisticSummary } from "./support/realistic-run.ts";

/** A version's saved run: the realistic nightly, passing or with its failures (an e2e test, a lost-message experiment, a threshold). */
function runOn(version: string, options: Parameters<typeof realisticSummary>[0] = {}) {
  const summary = realisticSummary({ failing: false, runId: `run-${version}`, ...options });
  for (const node of [...(summary.cluster?.before?.nodes ?? []), ...(summary.cluster?.after?.nodes ?? [])]) node.version = version;
  return { version, dir: `nats-${version}`, summary };
}

function withSuiteThatCouldNotRun(run: ReturnType<typeof runOn>, suite: string): ReturnType<typeof runOn> {
  const summary: Summary = structuredClone(run.summary);
  summary.suites = summary.suites.map((entry) => (entry.name === suite ? { ...entry, verdict: "error", tests: [] } : entry));
  summary.exitCode = 2;
  summary.verdict = "error";
  return { ...run, summary };
}

describe("compareVersions (the version matrix's comparison, over saved run records)", () => {
  it("finds nothing to hold an upgrade back when both versions pass: verdicts side by side, exit 0", () => {
    const section = compareVersions([runOn("2.14.9"), runOn("2.15.2")]);
    expect(() => VersionsSection.parse(section)).not.toThrow();
    expect(section.runs.map((run) => [run.version, run.reported, run.verdict, run.dir])).toEqual([
      ["2.14.9", ["2.14.9"], "pass", "nats-2.14.9"],
      ["2.15.2", ["2.15.2"], "pass", "nats-2.15.2"],
    ]);
    expect(section.verdicts.filter((row) => row.kind === "suite")).toEqual([
      { kind: "suite", name: "e2e", outcomes: ["pass", "pass"] },
      { kind: "suite", name: "failover", outcomes: ["pass", "pass"] },
    ]);
    expect(section.verdicts.filter((row) => row.kind === "experiment").map((row) => row.name)).toEqual([
      "kill stream leader",
      "pause meta leader",
      "partition minority",
    ]);
    expect(section.verdicts.some((row) => row.kind === "test")).toBe(false);
    expect(section.disagreements).toEqual([]);
    expect(versionsExitCode(section)).toBe(0);
  });

  it("exits 1 when the new version fails what the old one passes, naming each failure and the versions", () => {
    const section = compareVersions([runOn("2.14.9"), runOn("2.15.2", { failing: true })]);
    expect(section.disagreements).toEqual([
      { name: "e2e: gateway-status > timeout → 504", failsOn: ["2.15.2"], passesOn: ["2.14.9"] },
      { name: "failover: failover > partition minority", failsOn: ["2.15.2"], passesOn: ["2.14.9"] },
    ]);
    expect(disagreementLines(section)).toContain("nats 2.15.2 fails e2e: gateway-status > timeout → 504, which 2.14.9 passes");
    expect(section.verdicts).toContainEqual({ kind: "experiment", name: "partition minority", outcomes: ["pass", "fail"] });
    expect(section.verdicts).toContainEqual({
      kind: "threshold",
      name: "nats-request nats_req_failed rate<0.01",
      outcomes: ["pass", "fail"],
    });
    expect(versionsExitCode(section)).toBe(1);
  });

  it("exits 1 the other way round too: the old version failing what the new one passes also disagrees", () => {
    const section = compareVersions([runOn("2.14.9", { failing: true }), runOn("2.15.2")]);
    expect(section.disagreements.map((entry) => [entry.failsOn, entry.passesOn])).toEqual([
      [["2.14.9"], ["2.15.2"]],
      [["2.14.9"], ["2.15.2"]],
    ]);
    expect(versionsExitCode(section)).toBe(1);
  });

  it("does not call a failure both versions share a disagreement, yet the matrix still fails as the runs did", () => {
    const section = compareVersions([runOn("2.14.9", { failing: true }), runOn("2.15.2", { failing: true })]);
    expect(section.disagreements).toEqual([]);
    expect(section.verdicts).toContainEqual({ kind: "test", name: "e2e: gateway-status > timeout → 504", outcomes: ["fail", "fail"] });
    expect(versionsExitCode(section)).toBe(1);
  });

  it("names the suite when a version could not run it at all (no test to show it)", () => {
    const broken = withSuiteThatCouldNotRun(runOn("2.15.2"), "failover");
    const section = compareVersions([runOn("2.14.9"), broken]);
    expect(section.disagreements).toEqual([{ name: "failover", failsOn: ["2.15.2"], passesOn: ["2.14.9"] }]);
    expect(section.verdicts).toContainEqual({ kind: "suite", name: "failover", outcomes: ["pass", "error"] });
    expect(versionsExitCode(section)).toBe(1);
  });

  it("shows the figures that moved with their change against the first version, and which way", () => {
    const section = compareVersions([runOn("2.14.9"), runOn("2.15.2", { latencyFactor: 1.5, throughputFactor: 0.8 })]);
    const p99 = section.figures.find((figure) => figure.id === "latency.POST /api/event-bus/events.p99");
    expect(p99).toMatchObject({ kind: "latency", unit: "ms", moved: true, worse: true });
    expect(p99?.changePct[0]).toBeNull();
    expect(p99?.changePct[1]).toBeGreaterThan(35);
    const throughput = section.figures.find((figure) => figure.id === "load.throughput");
    expect(throughput).toMatchObject({ kind: "throughput", moved: true, worse: true });
    expect(throughput?.changePct[1]).toBeLessThan(-15);
    const unavailable = section.figures.find((figure) => figure.id === "failover.kill stream leader.unavailable");
    expect(unavailable?.values).toHaveLength(2);
    expect(section.disagreements).toEqual([]);
    expect(versionsExitCode(section)).toBe(0);

    const same = compareVersions([runOn("2.14.9"), runOn("2.15.2")]);
    expect(same.figures.filter((figure) => figure.moved)).toEqual([]);
  });

  it("exits 99 when both versions fail only the same load threshold, as a single run would", () => {
    const thresholdOnly = (version: string) => {
      const run = runOn(version);
      const threshold = run.summary.load?.thresholds[0];
      if (threshold) threshold.pass = false;
      run.summary.exitCode = 99;
      run.summary.verdict = "fail";
      return run;
    };
    expect(versionsExitCode(compareVersions([thresholdOnly("2.14.9"), thresholdOnly("2.15.2")]))).toBe(99);
  });
});
