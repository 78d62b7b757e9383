import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitUntil } from "../../lib/retry/index.ts";
import { gauntlet, gauntletUp } from "../support/cli.ts";
import { isAlive, processesMatching } from "../support/processes.ts";

const gone = (dir: string) =>
  waitUntil(async () => (processesMatching(dir).length === 0 && !existsSync(dir) ? true : undefined), {
    timeoutMs: 10_000,
    what: `no process and no run dir left for ${dir}`,
  });

describe("gauntlet up / down", () => {
  it("starts a formed cluster, writes its target file, and `down` stops it completely", async () => {
    const { child, ready } = await gauntletUp(["--nodes", "3"]);
    expect(processesMatching(ready.dir)).toHaveLength(3);
    const target = readFileSync(ready.target, "utf8");
    for (const url of [...ready.nats, ...ready.monitoring]) expect(target).toContain(url);

    const doctor = await gauntlet(["doctor", "--target", ready.target]);
    expect(doctor.stdout).toContain("Verdict: HEALTHY");

    const down = await gauntlet(["down", "--stack", ready.id]);
    expect(down.stdout).toContain(`stopped stack ${ready.id}`);
    expect(down.code).toBe(0);
    await gone(ready.dir);
    // The run dir goes before the process has quite finished exiting.
    const [code] = child.exitCode === null ? await once(child, "exit") : [child.exitCode];
    expect(code).toBe(0);
  });

  it("cleans up on Ctrl-C (SIGINT)", async () => {
    const { child, ready } = await gauntletUp(["--nodes", "3"]);
    process.kill(ready.pid, "SIGINT");
    await gone(ready.dir);
    await waitUntil(async () => (child.exitCode !== null ? true : undefined), { timeoutMs: 10_000, what: "up to exit" });
  });

  it("leaves no nats-server and no run dir when the harness is SIGKILLed mid-up", async () => {
    const { ready } = await gauntletUp(["--nodes", "5"]);
    expect(processesMatching(ready.dir)).toHaveLength(5);
    process.kill(ready.pid, "SIGKILL");
    await gone(ready.dir);
    expect(isAlive(ready.pid)).toBe(false);
  });

  it("leaves nothing when the bootstrap wrapper itself is SIGKILLed", async () => {
    const { child, ready } = await gauntletUp(["--nodes", "3"]);
    child.kill("SIGKILL");
    await gone(ready.dir);
    await waitUntil(async () => (isAlive(ready.pid) ? undefined : true), { timeoutMs: 10_000, what: "the CLI to die with its wrapper" });
  });

  it("asks which stack to stop when several run, and --all stops them all", async () => {
    const tmp = mkdtempSync(join(tmpdir(), "gauntlet-down-test-"));
    try {
      const env = { TMPDIR: tmp };
      const [first, second] = await Promise.all([
        gauntletUp(["--nodes", "1", "--cluster-only"], env),
        gauntletUp(["--nodes", "1", "--cluster-only"], env),
      ]);
      const refused = await gauntlet(["down"], { env });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        new RegExp(`2 stacks are running: .*(${first.ready.id}|${second.ready.id}).*; pass --stack ID or --all`),
      );
      expect(processesMatching(first.ready.dir)).toHaveLength(1);
      const all = await gauntlet(["down", "--all"], { env });
      expect(all.code).toBe(0);
      await gone(first.ready.dir);
      await gone(second.ready.dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("rejects a bad --nodes value before starting anything (exit 2)", async () => {
    const result = await gauntlet(["up", "--nodes", "zero"]);
    expect(result.stderr).toContain('--nodes must be a whole number ≥ 1, got "zero"');
    expect(result.code).toBe(2);
  });
});
