import { mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSummary } from "../../harness/record/index.ts";
import { slug } from "../../reports/html/sections/suites.ts";
import { gauntlet } from "../support/cli.ts";
import { launchChromium } from "./support/browser.ts";
import { openReport } from "./support/open-report.ts";
import { realisticSummary, writeRunRecord } from "./support/realistic-run.ts";

let browser: Browser;
let workDir: string;

beforeAll(async () => {
  browser = await launchChromium();
  workDir = await mkdtemp(join(tmpdir(), "gauntlet-report-browser-"));
});
afterAll(async () => {
  await browser?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function isPng(file: string): Promise<boolean> {
  const bytes = await readFile(file);
  return bytes.subarray(1, 4).toString("latin1") === "PNG" && bytes.length > 10_000;
}

describe("the HTML report, opened in Chromium", () => {
  it("shows a realistic nightly run: verdict first, every chart with its fault windows shaded, every table, nothing fetched", async () => {
    const runs = join(workDir, "runs");
    await writeRunRecord(
      runs,
      realisticSummary({ runId: "2026-11-24T22-00-00-a1a1", startedAt: "2026-11-24T22:00:00.000Z", failing: false, seed: 1 }),
    );
    expect((await gauntlet(["report", "--runs-dir", runs, "--run", "2026-11-24T22-00-00-a1a1", "--baseline"])).code).toBe(0);
    await writeRunRecord(
      runs,
      realisticSummary({ runId: "2026-11-25T22-00-00-b2b2", startedAt: "2026-11-25T22:00:00.000Z", failing: false, seed: 2 }),
    );
    const current = await writeRunRecord(runs, realisticSummary({ runId: "2026-11-26T22-00-00-c3c3", latencyFactor: 1.3, seed: 3 }));
    await symlink("2026-11-26T22-00-00-c3c3", join(runs, "latest"));

    const result = await gauntlet(["report", "--runs-dir", runs]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/FAIL.* run 2026-11-26T22-00-00-c3c3 — report .*index\.html/);
    expect(result.stdout).toMatch(
      /regressions against the previous run 2026-11-25T22-00-00-b2b2:\n\s+new failure: e2e: gateway-status > timeout → 504/,
    );

    const seen = await openReport(browser, join(current, "index.html"), join(current, "screenshot.png"));
    expect(seen.consoleErrors).toEqual([]);
    expect(seen.requests).toEqual([pathToFileURL(join(current, "index.html")).href]);
    expect(seen.title).toBe("FAIL · Gauntlet 2026-11-26T22-00-00-c3c3");
    expect(seen.sections[0]).toBe("verdict");
    expect(seen.verdict).toBe("FAIL");
    expect(seen.reasons).toContain("load: threshold nats_req_failed rate<0.01 crossed (0.0132)");
    expect(seen.sections).toEqual(["verdict", "suite", "suite", "latency", "load", "failover", "cluster", "trends", "artifacts"]);

    const chart = (name: string) => seen.charts.find((c) => c.name === name);
    expect(seen.charts.map((c) => c.name)).toEqual([
      "endpoint-latency",
      "load-throughput",
      "load-latency",
      "histogram-http_req_duration",
      "failover-throughput",
      "failover-latency",
    ]);
    for (const c of seen.charts) expect(c.width, c.name).toBeGreaterThan(900);
    for (const name of ["load-throughput", "load-latency"]) {
      expect(chart(name)?.shadedWindows, name).toBe(1);
      expect(chart(name)?.labels).toContain("pause n3");
    }
    for (const name of ["failover-throughput", "failover-latency"]) {
      expect(chart(name)?.shadedWindows, name).toBe(3);
      expect(chart(name)?.labels).toEqual(expect.arrayContaining(["kill n2", "pause n1", "partition n4,n5 | n1,n2,n3"]));
    }
    expect(chart("endpoint-latency")?.shadedWindows).toBe(0);
    expect(chart("endpoint-latency")?.labels).toContain("POST /api/story-teller/stories");

    expect(seen.tables["endpoint-latency"]).toHaveLength(8);
    expect(seen.tables["endpoint-latency"]?.[0]?.[0]).toBe("POST /api/story-teller/stories");
    expect(seen.tables.thresholds?.map((row) => row.at(-1))).toEqual(["MET", "MET", "MET", "CROSSED"]);
    expect(seen.tables.checkers?.map((row) => row.slice(0, 4))).toEqual([
      ["kill stream leader kill n2", "0", "0", "0"],
      ["pause meta leader pause n1", "0", "0", "0"],
      ["partition minority partition n4,n5 | n1,n2,n3", "3", "0", "0"],
    ]);
    expect(seen.tables["cluster-nodes"]).toHaveLength(5);
    expect(seen.tables["cluster-streams"]?.[0]).toEqual(["EVENTS", "3 / 3 leader n2", "2 / 3 leader n5", "0", "25,197"]);
    expect(seen.tables.trends?.find((row) => row[0] === "partition minority: lost")).toEqual([
      "partition minority: lost",
      "3",
      "0",
      "REGRESSED",
      "0",
      "REGRESSED",
    ]);
    expect(seen.tables["tests-e2e"]).toHaveLength(15);
    expect(seen.tables["tests-failover"]).toHaveLength(3);
    expect(await isPng(join(current, "screenshot.png"))).toBe(true);
  });

  it("reads well at 1300 and at 800 px: checker columns named for people, counts of good things not styled as failures, nothing sticking out", async () => {
    const runs = join(workDir, "widths");
    // A nightly's failover section: eleven experiments side by side, each with its fault window.
    const summary = realisticSummary({ runId: "2026-11-27T22-00-00-d4d4", failing: true, seed: 4 });
    const failover = summary.failover;
    if (!failover) throw new Error("the realistic run has no failover section");
    const names = ["kill-node", "stop-node", "pause-node", "rolling-restart", "partition-minority", "isolate-meta-leader"];
    const more = ["isolate-stream-leader", "kill-stream-leader", "kill-service-replica", "kill-gateway-replica", "full-restart"];
    const [first, ...others] = failover.experiments;
    if (!first) throw new Error("the realistic run has no experiment");
    const start = failover.timeSeries[0]?.t ?? 0;
    const span = (failover.timeSeries.at(-1)?.t ?? start + 1) - start;
    failover.experiments = [
      ...others,
      ...[...names, ...more].map((name, i) => ({
        ...first,
        name,
        fault: name,
        faultWindows: [{ start: start + (i * span) / 11, end: start + (i * span) / 11 + 4, fault: name }],
      })),
    ];
    const dir = await writeRunRecord(runs, summary);
    expect((await gauntlet(["report", "--runs-dir", runs, "--run", "2026-11-27T22-00-00-d4d4"])).code).toBe(0);
    for (const width of [1300, 800]) {
      const seen = await openReport(browser, join(dir, "index.html"), join(dir, `screenshot-${width}.png`), width);
      expect(seen.overflowing, `at ${width} px`).toEqual([]);
      expect(seen.headers.checkers).toEqual([
        "Experiment",
        "Lost",
        "Duplicated",
        "Unexpected",
        "Stale reads",
        "Failed outside faults",
        "Acknowledged",
        "Recovered",
        "Gateway unavailable",
        "JetStream unavailable",
        "Verdict",
      ]);
      // Only the partition's 3 lost messages are a failure; thousands acknowledged and a recovered publish are not.
      expect(seen.failureCells.checkers).toEqual(["Lost"]);
      expect(seen.tables.checkers?.[2]).toContain("4,800");
      for (const chart of seen.charts) expect(chart.overlappingTexts, `${chart.name} at ${width} px`).toEqual([]);
    }
  });

  it("shows a real `gauntlet run` record (e2e, a fault, a load run) the same way", { timeout: 600_000 }, async () => {
    const profile = join(workDir, "real-run.yaml");
    await writeFile(
      profile,
      "extends: smoke\nstack: { nodes: 3 }\nfailover: { faults: [kill-node] }\nload:\n  scenarios:\n    - { scenario: gateway-mixed, rate: 30, duration: 5s }\n",
    );
    const runsDir = join(workDir, "real-runs");
    const run = await gauntlet(["run", "--profile", profile, "--runs-dir", runsDir], { timeoutMs: 600_000 });
    const dir = /run record (\S+)/.exec(run.stdout)?.[1];
    expect(dir, `${run.stdout}\n${run.stderr}`).toBeDefined();
    if (!dir) return;
    const summary = await readSummary(dir);
    const id = summary.runId;
    const report = await gauntlet(["report", "--runs-dir", runsDir, "--run", id]);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toContain(`run ${id} — report`);

    const seen = await openReport(browser, join(runsDir, id, "index.html"), join(dir, "screenshot.png"));
    expect(seen.consoleErrors).toEqual([]);
    expect(seen.requests).toHaveLength(1);
    expect(seen.verdict).toBe(summary.verdict.toUpperCase());
    expect(run.code).toBe(summary.exitCode);
    expect(seen.sections.slice(0, 2)).toEqual(["verdict", "suite"]);
    expect(seen.sections).toContain("cluster");
    expect(summary.suites.map((suite) => suite.name)).toEqual(["e2e", "failover", "load gateway-mixed"]);
    for (const suite of summary.suites) expect(seen.tables[`tests-${slug(suite.name)}`]).toHaveLength(suite.tests.length);
    expect(seen.tables.checkers).toHaveLength(1);
    expect(seen.tables.thresholds?.length).toBeGreaterThan(0);
    expect(seen.tables["cluster-nodes"]).toHaveLength(3);
    expect(seen.tables["cluster-nodes"]?.every((row) => row.slice(1).every((cell) => cell.startsWith("UP")))).toBe(true);
    expect((await stat(join(dir, "screenshot.png"))).size).toBeGreaterThan(10_000);
  });
});
