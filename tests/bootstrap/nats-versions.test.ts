import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliResult, REPO_ROOT, runNode } from "../support/cli.ts";

const scratch = mkdtempSync(join(tmpdir(), "gauntlet-nats-versions-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * A `go` that records each build (and its CGO_ENABLED), takes a second as a build does, and
 * answers as the module proxy does for a version it does not serve: the tests build nothing real.
 */
function fakeGo(dir: string): { bin: string; calls: string } {
  const bin = join(dir, "bin");
  const calls = join(dir, "go-calls.txt");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, "go"),
    `#!/bin/sh
PATH=/usr/bin:/bin
echo "$* CGO_ENABLED=$CGO_ENABLED" >> ${calls}
case "$2" in
  *@v2.99.0) echo "go: $2: reading https://proxy.example/github.com/nats-io/nats-server/v2/@v/v2.99.0.info: 404 Not Found" >&2; exit 1 ;;
esac
sleep 1
mkdir -p "$GOBIN" && printf '#!/bin/sh\\necho nats-server: built\\n' > "$GOBIN/nats-server" && chmod +x "$GOBIN/nats-server"
`,
    { mode: 0o755 },
  );
  return { bin, calls };
}

/** Calls ensureNatsServer in a fresh process, as the CLI does, with this cache and PATH. */
async function ensureInProcess(version: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const module = JSON.stringify(join(REPO_ROOT, "harness", "bootstrap", "nats-versions.ts"));
  const script = `const { ensureNatsServer } = await import(${module});
try { console.log(await ensureNatsServer(${JSON.stringify(version)})); } catch (error) { console.error(error.message); process.exitCode = 2; }`;
  const result = await runNode(["--input-type=module", "-e", script], { env, timeoutMs: 300_000 });
  return { ...result, stdout: result.stdout.trim() };
}

function setUp(name: string) {
  const dir = join(scratch, name);
  const go = fakeGo(dir);
  const env = { GAUNTLET_CACHE: join(dir, "cache"), PATH: [go.bin, dirname(process.execPath)].join(delimiter) };
  const goCalls = () => (existsSync(go.calls) ? readFileSync(go.calls, "utf8").trim().split("\n") : []);
  return { env, goCalls, cache: env.GAUNTLET_CACHE };
}

describe("ensureNatsServer (a nats-server per version for --nats-version and the Docker images)", () => {
  it("builds a version once, static, however many processes ask for it at once, and leaves no lock or staging dir", async () => {
    const { env, goCalls, cache } = setUp("concurrent");
    const results = await Promise.all([ensureInProcess("2.14.9", env), ensureInProcess("v2.14.9", env), ensureInProcess("2.14.9", env)]);
    const binary = join(cache, "nats-server", "2.14.9", "nats-server");
    for (const result of results) expect(result).toMatchObject({ code: 0, stdout: binary });
    expect(goCalls()).toEqual(["install github.com/nats-io/nats-server/v2@v2.14.9 CGO_ENABLED=0"]);
    expect(readdirSync(join(cache, "nats-server"))).toEqual(["2.14.9"]);

    expect(await ensureInProcess("2.14.9", env)).toMatchObject({ code: 0, stdout: binary });
    expect(goCalls()).toHaveLength(1);
  });

  it("takes over the lock a dead process left behind", async () => {
    const { env, goCalls, cache } = setUp("stale-lock");
    const lock = join(cache, "nats-server", "2.15.0.lock");
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, "owner"), "999999999");
    expect(await ensureInProcess("2.15.0", env)).toMatchObject({ code: 0, stdout: join(cache, "nats-server", "2.15.0", "nats-server") });
    expect(goCalls()).toHaveLength(1);
    expect(existsSync(lock)).toBe(false);
  });

  it("says when the Go module proxy does not serve the version", async () => {
    const { env } = setUp("not-served");
    const result = await ensureInProcess("2.99.0", env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nats-server 2.99.0: not served by the Go module proxy (github.com/nats-io/nats-server/v2@v2.99.0)");
  });

  it("rejects what is not a 2.x version before building anything", async () => {
    const { env, goCalls } = setUp("syntax");
    for (const wrong of ["latest", "2.14", "3.0.0", "2.14.9; rm -rf /"]) {
      const result = await ensureInProcess(wrong, env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`nats-server ${wrong}: not a version: write a 2.x release such as 2.14.9`);
    }
    expect(goCalls()).toEqual([]);
  });

  it("says that building needs Go when there is none", async () => {
    const { env } = setUp("no-go");
    const result = await ensureInProcess("2.14.8", { ...env, PATH: dirname(process.execPath) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nats-server 2.14.8: building it needs Go");
  });
});
