import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/cli.ts";

const cache = mkdtempSync(join(tmpdir(), "gauntlet-bootstrap-test-"));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

/** Runs the real entry point as a fresh shell would: not yet bootstrapped, with the PATH and env given. */
function bootstrap(env: NodeJS.ProcessEnv, args = ["--help"]) {
  const { GAUNTLET_BOOTSTRAPPED: _, GAUNTLET_NATS_SERVER: __, NATS_SERVER_BIN: ___, ...inherited } = process.env;
  const result = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "gauntlet.mjs"), ...args], {
    cwd: REPO_ROOT,
    env: { ...inherited, GAUNTLET_CACHE: cache, ...env },
    encoding: "utf8",
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("bootstrap", () => {
  it("says in one line what is missing when it cannot provide nats-server (no Go, none on PATH, no apt)", () => {
    const result = bootstrap({ PATH: dirname(process.execPath) });
    expect(result.stderr).toContain(
      "no nats-server: install Go (then Gauntlet builds v2.15.2), set NATS_SERVER_BIN, or put nats-server on PATH",
    );
    expect(result.code).toBe(2);
  });

  it("rejects a NATS_SERVER_BIN that does not exist", () => {
    const result = bootstrap({ NATS_SERVER_BIN: "/nowhere/nats-server" });
    expect(result.stderr).toContain("NATS_SERVER_BIN=/nowhere/nats-server does not exist");
    expect(result.code).toBe(2);
  });

  it("uses NATS_SERVER_BIN, reports natscli as missing without Go, and then runs the CLI under Node >= 22.12", () => {
    const natsServer = process.env.GAUNTLET_NATS_SERVER as string;
    const result = bootstrap({ PATH: dirname(process.execPath), NATS_SERVER_BIN: natsServer }, [
      "exec",
      "node",
      "-p",
      "process.version + ' ' + process.env.GAUNTLET_NATS_SERVER",
    ]);
    const [major, minor] = result.stdout.slice(1).split(".").map(Number);
    expect((major as number) * 100 + (minor as number)).toBeGreaterThanOrEqual(2212);
    expect(result.stdout.trim().endsWith(natsServer)).toBe(true);
    expect(result.stderr).toContain("natscli v0.5.0 missing (only bench/ needs it): install Go, or put nats on PATH");
    expect(result.code).toBe(0);
  });
});
