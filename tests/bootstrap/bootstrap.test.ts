import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
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

  it("uses NATS_SERVER_BIN and then runs the CLI under Node >= 22.12", () => {
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
    expect(result.code).toBe(0);
  });

  it("does not build natscli up front, even with Go at hand: only bench/ needs it", () => {
    // A `go` that records what it is asked to build, so the test needs no Go and builds nothing.
    const bin = join(cache, "fake-go-bin");
    const calls = join(cache, "go-calls.txt");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "go"), `#!/bin/sh\necho "$*" >> ${calls}\n`, { mode: 0o755 });
    const natsServer = process.env.GAUNTLET_NATS_SERVER as string;
    const result = bootstrap({ PATH: [dirname(process.execPath), bin].join(delimiter), NATS_SERVER_BIN: natsServer }, [
      "exec",
      "node",
      "-e",
      "",
    ]);
    expect(result.code).toBe(0);
    expect(existsSync(calls) ? readFileSync(calls, "utf8") : "").not.toContain("natscli");
    expect(result.stderr).not.toMatch(/natscli/);
  });
});

describe("ensureNatsCli (what bench/ scripts call)", () => {
  /** Calls it in a fresh process, as a bench script would, with the cache and PATH given. */
  function ensureNatsCli(env: NodeJS.ProcessEnv) {
    const script = `import(${JSON.stringify(join(REPO_ROOT, "harness", "bootstrap", "bootstrap.mjs"))}).then((m) => m.ensureNatsCli()).then((path) => console.log(path))`;
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
  }

  it("uses the cached build", () => {
    const cached = join(cache, "nats-v0.5.0", "nats");
    mkdirSync(dirname(cached), { recursive: true });
    writeFileSync(cached, "#!/bin/sh\n", { mode: 0o755 });
    try {
      expect(ensureNatsCli({ GAUNTLET_CACHE: cache, PATH: dirname(process.execPath) })).toMatchObject({ code: 0, stdout: cached });
    } finally {
      rmSync(dirname(cached), { recursive: true, force: true });
    }
  });

  it("says in one line what to do when it cannot build one (no Go) and none is on PATH", () => {
    const result = ensureNatsCli({ GAUNTLET_CACHE: cache, PATH: dirname(process.execPath) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("natscli v0.5.0 missing (bench/ needs it for nats bench): install Go, or put nats on PATH");
  });
});
