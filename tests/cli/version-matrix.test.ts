import { spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { natsServerPath, PINNED } from "../../harness/bootstrap/bootstrap.mjs";
import { natsServerOption, natsVersionsOption } from "../../harness/cli/stack-options.ts";
import { Summary } from "../../harness/record/index.ts";
import { TaskList } from "../../harness/ui/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { versionsExitCode } from "../../reports/trends/index.ts";
import { gauntlet, gauntletUp } from "../support/cli.ts";
import { processesMatching } from "../support/processes.ts";

/** The release the matrix compares the pinned one with: the newest 2.14 (`.ci/run` builds it before the tests). */
const OTHER = "2.14.9";
const PINNED_VERSION = PINNED.natsServer.replace(/^v/, "");
const canBuild = existsSync(natsServerPath(`v${OTHER}`)) || spawnSync("go", ["version"]).status === 0;

const dir = mkdtempSync(join(tmpdir(), "gauntlet-matrix-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Short: one node fault (its unavailability window is a figure to compare) and 5 s of gateway load with a loose threshold. */
function shortProfile(): string {
  const file = join(dir, "matrix.yaml");
  writeFileSync(
    file,
    [
      "extends: smoke",
      "description: version matrix test — one node fault, 5 s of gateway load",
      "stack: { nodes: 3 }",
      "e2e: { enabled: false }",
      "failover: { faults: [kill-node] }",
      "load:",
      "  scenarios:",
      "    - scenario: gateway-mixed",
      "      rate: 20",
      "      duration: 5s",
      "      thresholds:",
      '        http_req_failed: ["rate<0.5"]',
      "",
    ].join("\n"),
  );
  return file;
}

const readSummary = (runDir: string) => Summary.parse(JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")));

describe("gauntlet run --nats-version A,B (the version matrix)", () => {
  it.skipIf(!canBuild)(
    `runs the profile on ${OTHER} and ${PINNED_VERSION}, each on its own stack, and writes one comparison`,
    { timeout: 360_000 },
    async () => {
      const runsDir = join(dir, "runs");
      const privateTmp = join(dir, "tmp");
      mkdirSync(privateTmp);
      const result = await gauntlet(
        ["run", "--profile", shortProfile(), "--nats-version", `${OTHER},${PINNED_VERSION}`, "--runs-dir", runsDir],
        {
          env: { TMPDIR: privateTmp, NO_COLOR: "1" },
          timeoutMs: 340_000,
        },
      );
      const matrixDir = realpathSync(join(runsDir, "latest"));
      const summary = readSummary(matrixDir);
      const versions = summary.versions;
      if (!versions) throw new Error(`no versions section in ${matrixDir}: ${result.stderr.slice(-3000)}`);
      // Whether both versions pass on a loaded machine is the system's business, not the matrix's:
      // the gate must exit as its comparison says (the gate itself: tests/reports/compare-versions.test.ts).
      expect(result.code, `${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`).toBe(versionsExitCode(versions));
      expect(summary.exitCode).toBe(result.code);
      expect(versions.runs.map((run) => [run.version, run.reported, run.dir])).toEqual([
        [OTHER, [OTHER], `nats-${OTHER}`],
        [PINNED_VERSION, [PINNED_VERSION], `nats-${PINNED_VERSION}`],
      ]);
      const rows = versions.verdicts.filter((row) => row.kind !== "test").map((row) => [row.kind, row.name, row.outcomes.length]);
      expect(rows).toEqual([
        ["suite", "failover", 2],
        ["suite", "load gateway-mixed", 2],
        ["experiment", "kill-node", 2],
        ["threshold", "gateway-mixed http_req_failed rate<0.5", 2],
      ]);
      const window = versions.figures.find((figure) => figure.id === "failover.kill-node.unavailable");
      expect(window?.values.every((value) => typeof value === "number")).toBe(true);
      expect(versions.figures.find((figure) => figure.id === "load.throughput")?.changePct[1]).toEqual(expect.any(Number));
      expect(summary.suites.map((suite) => suite.name)).toEqual([
        `nats ${OTHER}: failover`,
        `nats ${OTHER}: load gateway-mixed`,
        `nats ${PINNED_VERSION}: failover`,
        `nats ${PINNED_VERSION}: load gateway-mixed`,
      ]);

      for (const version of [OTHER, PINNED_VERSION]) {
        const versionRun = readSummary(join(matrixDir, `nats-${version}`));
        expect(versionRun.natsVersion).toEqual({ requested: version, reported: [version] });
        expect(versionRun.cluster?.before?.nodes.map((node) => node.version)).toEqual([version, version, version]);
        expect(existsSync(join(matrixDir, `nats-${version}`, "index.html"))).toBe(true);
      }
      expect(existsSync(join(matrixDir, "latest"))).toBe(false);
      const page = readFileSync(join(matrixDir, "index.html"), "utf8");
      expect(page).toContain('data-section="versions"');
      expect(page).toContain(`href="nats-${OTHER}/index.html"`);

      expect(result.stdout).toContain(`nats-server versions, each a complete run (${OTHER} vs ${PINNED_VERSION})`);
      expect(result.stdout).toMatch(new RegExp(`reported by /varz\\s+${OTHER}\\s+${PINNED_VERSION}`));
      expect(result.stdout).toMatch(/experiment kill-node\s+(pass|fail|error)\s+(pass|fail|error)/);

      expect(processesMatching(privateTmp)).toEqual([]);
      expect(readdirSync(privateTmp)).toEqual([]);
      expect(lstatSync(join(runsDir, "latest")).isSymbolicLink()).toBe(true);
    },
  );

  it("records a version whose stack cannot start, and still runs and compares the others (exit 2)", { timeout: 180_000 }, async () => {
    // A cache with a "release" that rejects its configuration, and the pinned one.
    const cache = join(dir, "broken-cache");
    const broken = join(cache, "nats-server", "2.13.0", "nats-server");
    mkdirSync(dirname(broken), { recursive: true });
    writeFileSync(broken, `#!/bin/sh\necho 'nats-server: config: unknown field "sync_interval"' >&2\nexit 1\n`, { mode: 0o755 });
    const pinned = join(cache, "nats-server", PINNED_VERSION, "nats-server");
    mkdirSync(dirname(pinned), { recursive: true });
    symlinkSync(process.env.GAUNTLET_NATS_SERVER as string, pinned);
    const profile = join(dir, "nothing.yaml");
    writeFileSync(profile, "extends: smoke\ne2e: { enabled: false }\nfailover: { enabled: false }\nload: { enabled: false }\n");
    const runsDir = join(dir, "broken-runs");
    const privateTmp = join(dir, "broken-tmp");
    mkdirSync(privateTmp);
    const result = await gauntlet(
      ["run", "--profile", profile, "--cluster-only", "--nodes", "1", "--nats-version", `2.13.0,${PINNED_VERSION}`, "--runs-dir", runsDir],
      { env: { GAUNTLET_CACHE: cache, TMPDIR: privateTmp } },
    );
    expect(result.code, result.stderr.slice(-3000)).toBe(2);
    const summary = readSummary(realpathSync(join(runsDir, "latest")));
    expect(summary.versions?.runs.map((run) => [run.version, run.verdict, run.exitCode])).toEqual([
      ["2.13.0", "error", 2],
      [PINNED_VERSION, "pass", 0],
    ]);
    expect(summary.versions?.verdicts).toContainEqual({ kind: "suite", name: "stack", outcomes: ["error", "absent"] });
    expect(summary.reasons.join("\n")).toContain("nats 2.13.0: stack: the stack starts: ");
    expect(processesMatching(privateTmp)).toEqual([]);
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  it("says when the Go module proxy does not serve a version, before starting anything (exit 2)", async () => {
    // A `go` that answers as the module proxy does for a release it does not have.
    const bin = join(dir, "fake-go");
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, "go"), `#!/bin/sh\necho "go: $2: reading .../@v/v2.99.0.info: 404 Not Found" >&2\nexit 1\n`, { mode: 0o755 });
    const runsDir = join(dir, "not-served");
    const result = await gauntlet(["run", "--nats-version", `${PINNED_VERSION},2.99.0`, "--runs-dir", runsDir], {
      env: { PATH: [bin, process.env.PATH].join(delimiter) },
    });
    expect(result.stderr).toContain("--nats-version 2.99.0: not served by the Go module proxy (github.com/nats-io/nats-server/v2@v2.99.0)");
    expect(result.code).toBe(2);
    expect(existsSync(runsDir)).toBe(false);
  });

  it("will not run a version against a --target: the target runs what it runs (exit 2)", async () => {
    const target = join(dir, "target.yaml");
    writeFileSync(target, "nats:\n  servers: [nats://127.0.0.1:1]\n  monitoring: [http://127.0.0.1:1]\n");
    const result = await gauntlet(["run", "--target", target, "--nats-version", OTHER, "--runs-dir", join(dir, "with-target")]);
    expect(result.stderr).toContain("--nats-version starts a local stack of that release: leave out --target");
    expect(result.code).toBe(2);
  });
});

describe("gauntlet up --nats-version X", () => {
  it.skipIf(!canBuild)("runs that release on every node", async () => {
    const { ready } = await gauntletUp(["--nodes", "2", "--cluster-only", "--network", "none", "--nats-version", OTHER]);
    try {
      for (const url of ready.monitoring) {
        const varz = (await (await fetch(`${url}/varz`)).json()) as { version: string };
        expect(varz.version).toBe(OTHER);
      }
    } finally {
      process.kill(ready.pid, "SIGINT");
      await waitUntil(async () => (processesMatching(ready.dir).length === 0 && !existsSync(ready.dir) ? true : undefined), {
        timeoutMs: 10_000,
        what: `no process and no run dir left for ${ready.dir}`,
      });
    }
  });
});

describe("--nats-version (the option)", () => {
  it("takes releases with or without the v, in their order, and rejects a malformed or repeated one", () => {
    expect(natsVersionsOption({})).toEqual([]);
    expect(natsVersionsOption({ "nats-version": "v2.14.9,2.15.2" })).toEqual(["2.14.9", "2.15.2"]);
    expect(() => natsVersionsOption({ "nats-version": "2.15" })).toThrow(
      "--nats-version 2.15: not a version: write a 2.x release such as 2.14.9",
    );
    expect(() => natsVersionsOption({ "nats-version": "2.14.9,v2.14.9" })).toThrow("--nats-version 2.14.9,v2.14.9: names 2.14.9 twice");
    expect(() => natsVersionsOption({ "nats-version": "2.14.9," })).toThrow("--nats-version 2.14.9,: an empty version in the list (A,B)");
  });

  it("is one version where one stack runs (up, chaos): a list is the matrix's, and nothing is built for it", async () => {
    const progress = new TaskList(process.stderr, { quiet: true });
    await expect(
      natsServerOption({ "nats-version": `${OTHER},${PINNED_VERSION}` }, "up", progress, new AbortController().signal),
    ).rejects.toThrow(`--nats-version ${OTHER},${PINNED_VERSION}: up runs one version; a list is for 'gauntlet run' (the version matrix)`);
    expect(await natsServerOption({}, "up", progress, new AbortController().signal)).toBeUndefined();
  });
});
