import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { Summary } from "../../harness/record/index.ts";
import { gauntlet } from "../support/cli.ts";
import { processesMatching } from "../support/processes.ts";

const dir = mkdtempSync(join(tmpdir(), "gauntlet-run-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A profile for these tests: the local stack and the e2e suite only. */
function e2eOnly(): string {
  const file = join(dir, "e2e-only.yaml");
  writeFileSync(file, "extends: smoke\nfailover: { enabled: false }\nload: { enabled: false }\n");
  return file;
}

function latestSummary(runsDir: string) {
  const runDir = realpathSync(join(runsDir, "latest"));
  return { runDir, summary: Summary.parse(JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"))) };
}

describe("gauntlet run", () => {
  it("brings up the local stack, runs the suites, writes the run record and leaves nothing running", { timeout: 300_000 }, async () => {
    const runsDir = join(dir, "local");
    const privateTmp = join(dir, "tmp");
    mkdirSync(privateTmp);
    const result = await gauntlet(["run", "--profile", e2eOnly(), "--nodes", "3", "--runs-dir", runsDir], {
      env: { TMPDIR: privateTmp },
    });
    expect(result.stdout, result.stderr.slice(-3000)).toContain("PASS");
    expect(result.code).toBe(0);
    const { runDir, summary } = latestSummary(runsDir);
    expect(summary.verdict).toBe("pass");
    expect(summary.target).toEqual({ kind: "local", nodes: 3 });
    const e2e = summary.suites.find((suite) => suite.name === "e2e");
    expect(e2e?.tests.length).toBeGreaterThanOrEqual(60);
    expect(summary.latency?.endpoints.length).toBeGreaterThanOrEqual(30);
    expect(existsSync(join(runDir, "index.html"))).toBe(true);
    expect(e2e?.tests.every((test) => test.state === "passed")).toBe(true);
    expect(summary.cluster?.before?.nodes.every((node) => node.up)).toBe(true);
    const junit = readFileSync(join(runDir, "junit.xml"), "utf8");
    expect(junit).toMatch(/<testsuites [^>]*tests="\d+" failures="0"/);
    expect(processesMatching(privateTmp)).toEqual([]);
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it("fails (exit 1) against a target whose cluster never formed, naming why", async () => {
    const runsDir = join(dir, "islands");
    const servers: StartedLocalCluster[] = [];
    try {
      for (let i = 0; i < 3; i += 1) servers.push(await new LocalCluster().withNodes(1).start());
      const target = join(dir, "islands.yaml");
      const list = (urls: string[]) => `[${urls.join(", ")}]`;
      writeFileSync(
        target,
        `nats:\n  servers: ${list(servers.flatMap((s) => s.clientUrls))}\n  monitoring: ${list(servers.flatMap((s) => s.monitoringUrls))}\n`,
      );
      const result = await gauntlet(["run", "--profile", e2eOnly(), "--target", target, "--runs-dir", runsDir]);
      expect(result.code).toBe(1);
      const { summary } = latestSummary(runsDir);
      expect(summary.verdict).toBe("fail");
      expect(summary.target).toEqual({ kind: "file", path: target, nodes: 3 });
      expect(summary.reasons.join("\n")).toContain("is formed and healthy as the doctor sees it");
      expect(summary.reasons.join("\n")).toContain("3 islands");
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  });

  it("exits 99 when only a load threshold fails, as k6 does, with the threshold in the run record", { timeout: 300_000 }, async () => {
    const runsDir = join(dir, "threshold");
    const profile = join(dir, "threshold.yaml");
    writeFileSync(
      profile,
      [
        "extends: smoke",
        "stack: { nodes: 3 }",
        "e2e: { enabled: false }",
        "failover: { enabled: false }",
        "load:",
        "  scenarios:",
        "    - scenario: gateway-mixed",
        "      rate: 20",
        "      duration: 3s",
        "      thresholds:",
        '        http_req_failed: ["rate<0.5"]',
        '        http_req_duration: ["p(99)<0.001"]',
        "",
      ].join("\n"),
    );
    const result = await gauntlet(["run", "--profile", profile, "--runs-dir", runsDir]);
    expect(result.code, result.stderr.slice(-2000)).toBe(99);
    const { runDir, summary } = latestSummary(runsDir);
    expect(summary).toMatchObject({ verdict: "fail", exitCode: 99, profile: "threshold" });
    const thresholds = summary.load?.thresholds ?? [];
    expect(thresholds.map((t) => [t.metric, t.expression, t.pass])).toEqual([
      ["http_req_failed", "rate<0.5", true],
      ["http_req_duration", "p(99)<0.001", false],
    ]);
    expect(summary.reasons.join("\n")).toContain("threshold http_req_duration: p(99)<0.001 failed");
    expect(readFileSync(join(runDir, "junit.xml"), "utf8")).toMatch(
      /<testcase [^>]*name="[^"]*http_req_duration: p\(99\)&lt;0\.001"[^>]*>\s*<failure/,
    );
  });

  it("writes the run record when a load scenario's setup throws: the scenario is a suite in error, the run fails (exit 1)", async () => {
    const runsDir = join(dir, "setup-throws");
    const profile = join(dir, "setup-throws.yaml");
    const scenario = new URL("./fixtures/setup-throws.ts", import.meta.url).pathname;
    writeFileSync(
      profile,
      `extends: smoke\ne2e: { enabled: false }\nfailover: { enabled: false }\nload:\n  scenarios: [{ scenario: ${scenario} }]\n`,
    );
    await using cluster = await new LocalCluster().withNodes(1).start();
    const target = join(dir, "setup-throws-target.yaml");
    writeFileSync(target, `nats:\n  servers: [${cluster.clientUrls.join(", ")}]\n  monitoring: [${cluster.monitoringUrls.join(", ")}]\n`);
    const result = await gauntlet(["run", "--profile", profile, "--target", target, "--runs-dir", runsDir]);
    expect(result.code, result.stderr.slice(-2000)).toBe(1);
    const { runDir, summary } = latestSummary(runsDir);
    expect(summary).toMatchObject({ verdict: "fail", exitCode: 1 });
    expect(summary.suites.map((suite) => [suite.name, suite.verdict])).toEqual([[`load ${scenario}`, "error"]]);
    expect(summary.reasons).toEqual([
      `load ${scenario}: load ${scenario} › ran: ${scenario}: setup failed: the scenario's fixtures are not there`,
    ]);
    expect(readFileSync(join(runDir, "junit.xml"), "utf8")).toContain("setup failed: the scenario&apos;s fixtures are not there");
    expect(existsSync(join(runDir, "index.html"))).toBe(true);
  });

  it("fails a release-strict run on a cluster that does not fsync every write, and passes one that does", async () => {
    const profile = join(dir, "durability-only.yaml");
    writeFileSync(profile, "extends: release\ne2e: { enabled: false }\nfailover: { enabled: false }\nload: { enabled: false }\n");
    const runOn = async (name: string, cluster: StartedLocalCluster) => {
      const target = join(dir, `${name}.yaml`);
      writeFileSync(target, `nats:\n  servers: [${cluster.clientUrls.join(", ")}]\n  monitoring: [${cluster.monitoringUrls.join(", ")}]\n`);
      const result = await gauntlet(["run", "--profile", profile, "--target", target, "--runs-dir", join(dir, name)]);
      return { result, summary: latestSummary(join(dir, name)).summary };
    };
    {
      await using lax = await new LocalCluster().withNodes(3).start();
      const { result, summary } = await runOn("lax-sync", lax);
      expect(result.code).toBe(1);
      expect(summary.reasons).toEqual([
        expect.stringMatching(/^durability preflight: JetStream sync: sync_interval 120s on nats-1, nats-2, nats-3 \(expected always\)/),
      ]);
    }
    await using strict = await new LocalCluster().withNodes(3).withSyncAlways().start();
    const { result, summary } = await runOn("sync-always", strict);
    expect(result.code, result.stdout).toBe(0);
    expect(summary.suites.map((suite) => [suite.name, suite.verdict])).toEqual([["durability preflight", "pass"]]);
  });

  it("does not start anything when the target file is malformed (exit 2)", async () => {
    const target = join(dir, "bad.yaml");
    writeFileSync(target, "nats:\n  servers: []\n  monitoring: [http://127.0.0.1:1]\n");
    const runsDir = join(dir, "bad");
    const result = await gauntlet(["run", "--target", target, "--runs-dir", runsDir]);
    expect(result.stderr).toContain(`${target}:nats.servers: list at least one client URL`);
    expect(result.code).toBe(2);
    expect(existsSync(runsDir)).toBe(false);
  });
});
