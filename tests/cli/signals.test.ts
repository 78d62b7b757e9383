import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { waitUntil } from "../../lib/retry/index.ts";
import { BIN, gauntletUp, REPO_ROOT, type UpReady } from "../support/cli.ts";
import { isAlive, processesMatching } from "../support/processes.ts";
import { standInManifest } from "../support/stand-in-manifest.ts";

/** One stand-in with two replicas, each its own process, behind two gateways. */
const MANIFEST = standInManifest([{ name: "first" }]);

const dir = mkdtempSync(join(tmpdir(), "gauntlet-signals-test-"));
/** Wrappers started by a test that failed before they stopped: stopped the way that always worked. */
const started: ChildProcess[] = [];
afterEach(async () => {
  for (const child of started.splice(0).filter((c) => c.exitCode === null && c.signalCode === null)) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A manifest file of the test's own: its path names that stack's gateways and nothing else. */
function manifestFor(name: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, MANIFEST);
  return file;
}

const listening = (url: string) =>
  new Promise<boolean>((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = connect(Number(port), hostname);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

/** Every process of the stack gone (nodes name the run dir, replicas a node's URL, gateways the manifest), its ports closed, its run dir removed. */
async function nothingLeft(ready: UpReady & { gateways: string[] }, manifest?: string): Promise<void> {
  const needles = [ready.dir, ready.nats[0] as string, ...(manifest ? [manifest] : [])];
  const processes = () => needles.flatMap((needle) => processesMatching(needle));
  await waitUntil(async () => (processes().length === 0 && !existsSync(ready.dir) && !isAlive(ready.pid) ? true : undefined), {
    timeoutMs: 30_000,
    what: `no process and no run dir left for ${ready.dir}`,
  });
  const open = await Promise.all([...ready.nats, ...ready.monitoring, ...ready.gateways].map(listening));
  expect(open.filter(Boolean)).toEqual([]);
}

describe("signals to the bootstrap wrapper (bin/gauntlet.mjs), as a CI runner or supervisor sends them", () => {
  it.each(["SIGINT", "SIGHUP", "SIGTERM"] as const)(
    "%s to the wrapper's pid alone stops the stack cleanly and leaves nothing",
    { timeout: 180_000 },
    async (signal) => {
      const manifest = manifestFor(signal);
      const stackOptions = ["--nodes", "3", "--manifest", manifest, "--fleet-mode", "process", "--gateways", "2"];
      const { child, ready, stderr } = await gauntletUp(stackOptions);
      started.push(child);
      const stack = ready as UpReady & { gateways: string[] };
      expect(stack.gateways).toHaveLength(2);
      expect(processesMatching(ready.dir)).toHaveLength(3);
      expect(child.pid).not.toBe(ready.pid);

      process.kill(child.pid as number, signal);
      await nothingLeft(stack, manifest);
      await waitUntil(async () => (child.exitCode !== null ? true : undefined), { timeoutMs: 10_000, what: "the wrapper to exit" });
      expect(stderr()).toContain(`gauntlet: ${signal} received, cleaning up…`);
      expect(stderr()).not.toContain("exiting now");
    },
  );

  it("a terminal's Ctrl-C (SIGINT to the whole process group) is one interrupt, not two: the stack is cleaned up, not abandoned", async () => {
    const { child, ready, stderr } = await gauntletUp(["--nodes", "3", "--cluster-only"], {}, { ownProcessGroup: true });
    started.push(child);
    process.kill(-(child.pid as number), "SIGINT");
    await nothingLeft({ ...ready, gateways: [] });
    await waitUntil(async () => (child.exitCode !== null ? true : undefined), { timeoutMs: 10_000, what: "the wrapper to exit" });
    expect(stderr()).toContain("gauntlet: SIGINT received, cleaning up…");
    expect(stderr()).not.toContain("exiting now");
  });
});

/** A command that says each SIGINT it gets and exits 130 half a second after the first (time for a duplicate to show). */
const COUNTS_SIGINTS = `let count = 0;
process.on("SIGINT", () => {
  console.log("SIGINT " + ++count);
  if (count === 1) setTimeout(() => process.exit(130), 500);
});
console.log("ready");
setInterval(() => {}, 1000);`;

/** `gauntlet exec node -e …` started as a CI runner starts a job (in a process group of its own); resolves once the command runs. */
async function execCountingSigints(): Promise<{ child: ChildProcess; stdout: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, "exec", "node", "-e", COUNTS_SIGINTS], { cwd: REPO_ROOT, detached: true });
  started.push(child);
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  let stdout = "";
  await new Promise<void>((resolve) =>
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("ready")) resolve();
    }),
  );
  return { child, stdout: () => stdout, exited };
}

describe("signals to `gauntlet exec`", () => {
  it("SIGINT to the wrapper's pid alone reaches its command, once", async () => {
    const { child, stdout, exited } = await execCountingSigints();
    process.kill(child.pid as number, "SIGINT");
    expect(await exited).toBe(130);
    expect(stdout().match(/SIGINT \d/g)).toEqual(["SIGINT 1"]);
  });

  it("SIGINT to the wrapper's whole process group (a CI runner cancelling the job) reaches its command once, not twice", async () => {
    const { child, stdout, exited } = await execCountingSigints();
    process.kill(-(child.pid as number), "SIGINT");
    expect(await exited).toBe(130);
    expect(stdout().match(/SIGINT \d/g)).toEqual(["SIGINT 1"]);
  });
});
