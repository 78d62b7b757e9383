import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { leftoverResources } from "../../../harness/providers/docker/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { gauntlet, gauntletUp, REPO_ROOT } from "../../support/cli.ts";
import { holdDockerEngine } from "../../support/docker-engine.ts";
import { isAlive } from "../../support/processes.ts";

const unavailable = await holdDockerEngine();
const tmp = mkdtempSync(join(tmpdir(), "gauntlet-docker-orphans-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Nothing of the stack is left: no container, network or volume with its label, no run dir. */
const nothingLeft = (id: string, dir: string) =>
  waitUntil(
    async () => {
      const left = await leftoverResources(id);
      const runDirs = readdirSync(dir).filter((entry) => entry.startsWith(`gauntlet-${id}-`));
      return left.containers.length + left.networks.length + left.volumes.length + runDirs.length === 0 ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `nothing left of docker stack ${id}` },
  );

describe("--provider docker without an engine", () => {
  it("fails with one line saying so (exit 2)", async () => {
    const result = await gauntlet(["up", "--provider", "docker", "--cluster-only"], {
      env: { DOCKER_HOST: `unix://${join(tmp, "no.sock")}` },
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(`no Docker engine answers at ${join(tmp, "no.sock")} (no such socket)`);
  });
});

describe.skipIf(unavailable !== undefined)(`docker stack orphans${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  it("leaves no container, network, volume or run dir when the harness is SIGKILLed after up", async () => {
    const dir = mkdtempSync(join(tmp, "after-"));
    const { ready } = await gauntletUp(["--provider", "docker", "--cluster-only", "--nodes", "3"], { TMPDIR: dir });
    expect((await leftoverResources(ready.id)).containers).toHaveLength(3);
    process.kill(ready.pid, "SIGKILL");
    await nothingLeft(ready.id, dir);
    expect(isAlive(ready.pid)).toBe(false);
  });

  it("leaves nothing when the harness is SIGKILLed mid-up, while its cluster forms", { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmp, "mid-"));
    const child = spawn(process.execPath, [join(REPO_ROOT, "bin/gauntlet.mjs"), "up", "--provider", "docker", "--json"], {
      cwd: REPO_ROOT,
      env: { ...process.env, TMPDIR: dir },
    });
    // Whatever happens below, the harness dies (its crash guard then removes the stack).
    onTestFinished(() => {
      child.kill("SIGKILL");
    });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    const exited = new Error("gauntlet up exited before its node containers ran");
    // The node containers exist while the cluster forms; the fleet and gateways come after (no ready line yet).
    const id = await waitUntil(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) throw exited;
        const found = /gauntlet-([0-9a-f]{6})-/.exec(readdirSync(dir).join(" "))?.[1];
        if (found === undefined) return undefined;
        return (await leftoverResources(found)).containers.length === 5 ? found : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 100, what: "the stack's five node containers", retryIf: (error) => error !== exited },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
    });
    expect(stdout).toBe("");
    child.kill("SIGKILL");
    await nothingLeft(id, dir);
  });
});
