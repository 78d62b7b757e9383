import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunMetrics } from "../../reports/trends/index.ts";
import { gauntlet } from "../support/cli.ts";
import { realisticSummary, writeRunRecord } from "./support/realistic-run.ts";

let root: string;
let runs: string;
const OLD = "2026-11-24T22-00-00-a1a1";
const MIDDLE = "2026-11-25T22-00-00-b2b2";
const NEW = "2026-11-26T22-00-00-c3c3";

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "gauntlet-report-cli-"));
  runs = join(root, "runs");
  await writeRunRecord(runs, realisticSummary({ runId: OLD, startedAt: "2026-11-24T22:00:00.000Z", failing: false, seed: 1 }));
  await writeRunRecord(
    runs,
    realisticSummary({ runId: MIDDLE, startedAt: "2026-11-25T22:00:00.000Z", failing: false, seed: 1, latencyFactor: 1.25 }),
  );
  await writeRunRecord(
    runs,
    realisticSummary({ runId: NEW, startedAt: "2026-11-26T22:00:00.000Z", failing: false, seed: 1, latencyFactor: 1.25 }),
  );
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("gauntlet report", () => {
  it("saves a run's key metrics as the baseline", async () => {
    const result = await gauntlet(["report", "--runs-dir", runs, "--run", OLD, "--baseline"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`baseline ← run ${OLD} \\(\\d+ key metrics\\)`));
    const baseline = RunMetrics.parse(JSON.parse(await readFile(join(root, "baselines", "baseline.json"), "utf8")));
    expect(baseline.runId).toBe(OLD);
    expect(baseline.metrics.find((m) => m.id === "load.gateway-mixed.throughput")?.value).toBe(200);
  });

  it("compares the newest run with the previous run and the baseline, and fails on regression only when asked", async () => {
    const result = await gauntlet(["report", "--runs-dir", runs]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`✔ no regression against the previous run ${MIDDLE}`);
    expect(result.stdout).toMatch(new RegExp(`✖ \\d+ regressions against the baseline ${OLD}:\\n\\s+POST /api/story-teller/stories p99: `));
    expect((await stat(join(runs, NEW, "index.html"))).isFile()).toBe(true);

    const gate = await gauntlet(["report", "--runs-dir", runs, "--compare", "baseline", "--fail-on-regression"]);
    expect(gate.code).toBe(1);
    expect(gate.stdout).not.toContain("previous run");
    const tolerant = await gauntlet([
      "report",
      "--runs-dir",
      runs,
      "--compare",
      "baseline",
      "--fail-on-regression",
      "--latency-tolerance",
      "30",
    ]);
    expect(tolerant.code, tolerant.stdout).toBe(0);
  });

  it("compares with a chosen run", async () => {
    const result = await gauntlet(["report", "--runs-dir", runs, "--run", MIDDLE, "--compare", NEW]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`no regression against the compared run ${NEW}`);
  });

  it("says what is wrong with bad input and exits 2", async () => {
    const unknown = await gauntlet(["report", "--runs-dir", runs, "--run", "2026-01-01"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`gauntlet report: ${runs}: no run '2026-01-01' (known runs: ${OLD}, ${MIDDLE}, ${NEW})`);
    const tolerance = await gauntlet(["report", "--runs-dir", runs, "--latency-tolerance", "lots"]);
    expect(tolerance.code).toBe(2);
    expect(tolerance.stderr).toContain('--latency-tolerance must be a percentage ≥ 0, got "lots"');
    const empty = await gauntlet(["report", "--runs-dir", join(root, "nothing")]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("no runs recorded yet: run 'gauntlet run' first");
  });
});
