import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalCluster } from "../../harness/providers/local/index.ts";
import { Summary } from "../../harness/record/index.ts";
import { gauntlet } from "../support/cli.ts";
import { processesMatching } from "../support/processes.ts";

const dir = mkdtempSync(join(tmpdir(), "gauntlet-run-health-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fixture = (name: string) => new URL(`fixtures/${name}.ts`, import.meta.url).pathname;

/** Two short load suites: the first SIGKILLs a node of the system, the second runs after it. */
function profile(): string {
  const file = join(dir, "node-left-down.yaml");
  writeFileSync(
    file,
    [
      "extends: smoke",
      "stack: { nodes: 3 }",
      "e2e: { enabled: false }",
      "failover: { enabled: false }",
      "health: { settle: 3s }",
      "load:",
      "  scenarios:",
      `    - scenario: ${fixture("kill-a-node")}`,
      `    - scenario: ${fixture("publish")}`,
      "",
    ].join("\n"),
  );
  return file;
}

function latestRun(runsDir: string) {
  const runDir = realpathSync(join(runsDir, "latest"));
  return {
    summary: Summary.parse(JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"))),
    html: readFileSync(join(runDir, "index.html"), "utf8"),
  };
}

describe("gauntlet run between suites", () => {
  it("restarts a local stack that a suite left with a node down, and says so", { timeout: 300_000 }, async () => {
    const runsDir = join(dir, "local");
    const privateTmp = join(dir, "tmp");
    mkdirSync(privateTmp);
    const result = await gauntlet(["run", "--profile", profile(), "--cluster-only", "--runs-dir", runsDir], {
      env: { TMPDIR: privateTmp },
      timeoutMs: 300_000,
    });
    expect(result.code, result.stderr.slice(-3000)).toBe(1);
    expect(result.stderr).toContain("the system is unhealthy after load");
    expect(result.stderr).toContain("restarting the local stack");
    const { summary, html } = latestRun(runsDir);
    expect(summary.health).toHaveLength(1);
    const [checkpoint] = summary.health ?? [];
    expect(checkpoint).toMatchObject({
      after: `load ${fixture("kill-a-node")}`,
      before: `load ${fixture("publish")}`,
      action: "restarted",
    });
    expect(checkpoint?.problems.join("\n")).toMatch(/cluster: nodes reachable: 2\/3 reachable/);
    expect(summary.reasons.join("\n")).toMatch(/health: unhealthy after load .*kill-a-node\.ts: .*; the local stack was restarted/);
    // The suite after the restart ran on the fresh stack and passed.
    expect(summary.suites.map((suite) => suite.verdict)).toEqual(["pass", "pass"]);
    expect(summary.cluster?.after?.nodes.every((node) => node.up)).toBe(true);
    expect(html).toContain('data-section="health"');
    expect(html).toContain("restarted");
    expect(processesMatching(privateTmp)).toEqual([]);
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it("marks what follows as run on a degraded system when the target cannot be restarted", { timeout: 300_000 }, async () => {
    const cluster = await new LocalCluster().withNodes(3).start();
    try {
      const target = join(dir, "target.yaml");
      const list = (urls: readonly string[]) => `[${urls.join(", ")}]`;
      writeFileSync(target, `nats:\n  servers: ${list(cluster.clientUrls)}\n  monitoring: ${list(cluster.monitoringUrls)}\n`);
      const runsDir = join(dir, "target");
      const result = await gauntlet(["run", "--profile", profile(), "--target", target, "--runs-dir", runsDir], {
        timeoutMs: 300_000,
      });
      expect(result.code, result.stderr.slice(-3000)).toBe(1);
      const { summary, html } = latestRun(runsDir);
      expect(summary.health).toEqual([
        expect.objectContaining({
          before: `load ${fixture("publish")}`,
          action: "degraded",
          detail: expect.stringContaining("not restarted"),
        }),
      ]);
      expect(summary.reasons.join("\n")).toContain(`load ${fixture("publish")} ran on a degraded system`);
      expect(html).toContain('data-section="health"');
      expect(html).toContain("degraded");
    } finally {
      await cluster.stop();
    }
  });
});
