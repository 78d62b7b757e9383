import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { selectExperiments } from "../../../harness/failover/index.ts";
import { leftoverResources } from "../../../harness/providers/docker/index.ts";
import { Summary } from "../../../harness/record/index.ts";
import { gauntlet } from "../../support/cli.ts";
import { holdDockerEngine } from "../../support/docker-engine.ts";

const unavailable = await holdDockerEngine();
const dir = mkdtempSync(join(tmpdir(), "gauntlet-docker-stack-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * One stack for the whole file: the e2e suite, every failover experiment a healthy system passes
 * (`all`: the same list `gauntlet chaos all` runs locally) and a load scenario, in one `gauntlet run`.
 */
const PROFILE = `extends: smoke
failover:
  faults: [all]
  env:
    GAUNTLET_FAILOVER_QUIET_MS: "1000"
    GAUNTLET_FAILOVER_FAULT_MS: "3000"
    GAUNTLET_FAILOVER_RECOVERY_MS: "4000"
load:
  scenarios:
    # Reached through the containers at all, not how well: latency on a loaded machine is for bench/docker.ts.
    - { scenario: gateway-mixed, rate: 20, duration: 4s, thresholds: { http_req_failed: ["rate<0.5"] } }
`;

/**
 * What this stack (iptables in the containers, the default) cannot inject, as the README's fault
 * table says: skipped, saying why, never a pass. slow-link needs `--network proxy` (no netem here):
 * tests/providers/docker/docker-slow-link.test.ts runs it.
 */
const NOT_ON_DOCKER = ["slow-link"];

describe.skipIf(unavailable !== undefined)(`docker provider${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("passes e2e, failover and load against --provider docker, and leaves nothing behind", { timeout: 900_000 }, async () => {
    const attempt = mkdtempSync(join(dir, "attempt-"));
    const profile = join(attempt, "docker.yaml");
    writeFileSync(profile, PROFILE);
    const runsDir = join(attempt, "runs");
    const privateTmp = join(attempt, "tmp");
    mkdirSync(privateTmp);
    const result = await gauntlet(["run", "--provider", "docker", "--profile", profile, "--runs-dir", runsDir], {
      env: { TMPDIR: privateTmp },
      timeoutMs: 880_000,
    });
    expect(result.stdout, result.stderr.slice(-3000)).toContain("PASS");
    expect(result.code).toBe(0);
    const runDir = realpathSync(join(runsDir, "latest"));
    const summary = Summary.parse(JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")));
    const e2e = summary.suites.find((suite) => suite.name === "e2e");
    expect(e2e?.tests.length).toBeGreaterThanOrEqual(60);
    expect(e2e?.tests.every((test) => test.state === "passed")).toBe(true);
    const failover = summary.suites.find((suite) => suite.name === "failover")?.tests ?? [];
    for (const experiment of selectExperiments(["all"], "test")) {
      const tests = failover.filter((test) => test.fullName.startsWith(`${experiment.title} > `));
      expect(tests, experiment.name).toHaveLength(experiment.cases.length);
      for (const test of tests) {
        if (NOT_ON_DOCKER.includes(experiment.name)) {
          expect(test.state, test.fullName).toBe("skipped");
          expect(test.note).toContain(`${experiment.name} cannot be injected into this target`);
        } else {
          expect(test.state, `${test.fullName}: ${test.errors.map((error) => error.message).join("; ")}`).toBe("passed");
        }
      }
    }
    expect(summary.failover?.experiments.every((experiment) => experiment.verdict === "pass")).toBe(true);
    const stack = JSON.parse(readFileSync(join(runDir, "stack.json"), "utf8")) as { id: string; network: string };
    expect(stack.network).toBe("docker");
    expect(await leftoverResources(stack.id)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(readdirSync(privateTmp)).toEqual([]);
  });
});
