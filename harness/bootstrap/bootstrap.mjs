// Provisions what Gauntlet needs (npm dependencies, Node >= 22.12, nats-server), idempotently
// and cached, then re-execs the TypeScript CLI under the right Node. natscli, which only bench/
// uses, is built on first use (`ensureNatsCli`).
// Plain ESM JavaScript with no dependencies: it runs before `npm ci` and on old Node.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { goInstallOnce } from "./go-build.mjs";
import { runQuiet } from "./run-quiet.mjs";
import { TaskList } from "./task-list.mjs";

export const PINNED = Object.freeze({
  node: "24.21.0",
  natsServer: "v2.15.2",
  natsCli: "v0.5.0",
});
const MIN_NODE = [22, 12];
const SETPRIV = "/usr/bin/setpriv";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Where everything the bootstrap provides is cached (GAUNTLET_CACHE moves it). */
export const cacheDir = process.env.GAUNTLET_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "gauntlet");

export async function bootstrap(argv) {
  if (process.env.GAUNTLET_BOOTSTRAPPED === "1") return runCli(process.execPath, argv, {});
  const quiet = argv[0] === "exec" || process.env.GAUNTLET_QUIET_BOOTSTRAP === "1";
  const tasks = new TaskList(process.stderr, { quiet });
  const problems = [];
  try {
    await tasks.run("npm dependencies", ensureNpmDependencies);
    const node = await tasks.run("Node >= 22.12", ensureNode);
    const natsServer = await tasks.run("nats-server", () => ensureNatsServer(tasks, problems));
    tasks.finish();
    for (const line of problems) process.stderr.write(`  ! ${line}\n`);
    const env = { GAUNTLET_NATS_SERVER: natsServer ?? "" };
    return runCli(node, argv, env);
  } catch (error) {
    tasks.finish();
    process.stderr.write(`gauntlet: bootstrap failed: ${error.message}\n`);
    for (const line of problems) process.stderr.write(`  ! ${line}\n`);
    return 2;
  }
}

function runCli(node, argv, extraEnv) {
  const nodeBin = dirname(node);
  const env = {
    ...process.env,
    ...extraEnv,
    GAUNTLET_BOOTSTRAPPED: "1",
    GAUNTLET_CACHE: cacheDir,
    NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(cacheDir, "node-compile-cache"),
    PATH: [nodeBin, join(repoRoot, "node_modules", ".bin"), process.env.PATH ?? ""].join(delimiter),
  };
  const args = argv[0] === "exec" ? argv.slice(1) : [join(repoRoot, "harness", "cli", "main.ts"), ...argv];
  const command = argv[0] === "exec" ? args.shift() : node;
  if (!command) {
    process.stderr.write("gauntlet exec: name a command to run\n");
    return Promise.resolve(2);
  }
  // The CLI must die with this wrapper even if the wrapper is SIGKILLed (it then takes its own children down).
  const tied = existsSync(SETPRIV) ? [SETPRIV, ["--pdeathsig", "SIGKILL", "--", command, ...args]] : [command, args];
  const isCli = argv[0] !== "exec";
  // Off a terminal's foreground, an exec'd command gets a process group of its own, so a signal to
  // our group (a CI runner stopping the job) reaches it once: forwarded by us, not also directly.
  const ownGroup = !isCli && !inTerminalForeground();
  return new Promise((resolveExit) => {
    const child = spawn(tied[0], tied[1], { stdio: isCli ? ["inherit", "inherit", "inherit", "ipc"] : "inherit", env, detached: ownGroup });
    for (const signal of ["SIGINT", "SIGHUP", "SIGTERM"]) process.on(signal, () => forwardSignal(child, signal, isCli, ownGroup));
    child.on("error", (error) => {
      process.stderr.write(`gauntlet: cannot start ${command}: ${error.message}\n`);
      resolveExit(2);
    });
    child.on("exit", (code, signal) => resolveExit(code ?? (signal === "SIGINT" ? 130 : 1)));
  });
}

/**
 * Passes a signal sent to this wrapper (by a CI runner, a supervisor, `kill`) on to its child, once.
 * A terminal's Ctrl-C or hang-up reaches the child directly as well (same process group), so the CLI
 * gets the forwarded copy as a message, which only ever asks it to stop gracefully: one Ctrl-C never
 * becomes the "second signal" that makes it exit without cleaning up. Other commands (`exec`) get
 * every signal, except SIGINT while they share a terminal's foreground with us: that one is the
 * terminal's Ctrl-C, which they received themselves.
 */
function forwardSignal(child, signal, isCli, ownGroup) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (isCli && child.connected) child.send({ type: "signal", signal }, () => {});
  else if (ownGroup || signal !== "SIGINT") child.kill(signal);
}

/** This process is in its terminal's foreground process group (where Ctrl-C goes); false without a terminal. */
function inTerminalForeground() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // After "(comm)": state ppid pgrp session tty_nr tpgid …
    const [, , pgrp, , , tpgid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(tpgid) > 0 && tpgid === pgrp;
  } catch {
    return true;
  }
}

function fileHash(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

async function ensureNpmDependencies() {
  const lock = join(repoRoot, "package-lock.json");
  const stamp = join(repoRoot, "node_modules", ".gauntlet-lock.sha256");
  const wanted = fileHash(lock);
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) return "up to date";
  const fresh = !existsSync(join(repoRoot, "node_modules"));
  // `npm ci` only on a fresh clone: it wipes node_modules, which other running processes may be using.
  await runQuiet("npm", [fresh ? "ci" : "install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: repoRoot });
  writeFileSync(stamp, wanted);
  return fresh ? "installed (npm ci)" : "updated (npm install)";
}

function versionAtLeast(version, [major, minor]) {
  const [a, b] = version.replace(/^v/, "").split(".").map(Number);
  return a > major || (a === major && b >= minor);
}

async function ensureNode() {
  if (versionAtLeast(process.version, MIN_NODE)) return process.execPath;
  const pkg = `node-${process.platform}-${process.arch}`;
  const prefix = join(cacheDir, `node-${PINNED.node}`);
  const binary = join(prefix, "node_modules", pkg, "bin", "node");
  if (existsSync(binary)) return binary;
  const staging = `${prefix}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await runQuiet("npm", [
    "install",
    "--prefix",
    staging,
    "--no-save",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    `${pkg}@${PINNED.node}`,
  ]).catch((error) => {
    throw new Error(
      `Node ${process.version} is older than 22.12 and ${pkg}@${PINNED.node} could not be installed from npm (${error.message}); install Node 24 LTS and retry`,
    );
  });
  renameSync(staging, prefix);
  return binary;
}

function which(command) {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function versionOf(binary) {
  const result = spawnSync(binary, ["--version"], { encoding: "utf8" });
  return (result.stdout || result.stderr || "").trim();
}

export const NATS_SERVER_MODULE = "github.com/nats-io/nats-server/v2";

/** Where a nats-server release (`v2.15.2`) built by Gauntlet lives in the cache: one folder per version. */
export function natsServerPath(tag) {
  return join(cacheDir, "nats-server", tag.replace(/^v/, ""), "nats-server");
}

/**
 * Builds a nats-server release (`v2.15.2`) with Go once into the cache, static (CGO_ENABLED=0)
 * so the same binary also runs in a `FROM scratch` container image.
 */
export function buildNatsServer(tag, { announce, signal } = {}) {
  return goInstallOnce({
    module: NATS_SERVER_MODULE,
    version: tag,
    name: "nats-server",
    dir: dirname(natsServerPath(tag)),
    env: { CGO_ENABLED: "0" },
    announce,
    signal,
  });
}

async function ensureNatsServer(tasks, problems) {
  if (process.env.NATS_SERVER_BIN) {
    if (!existsSync(process.env.NATS_SERVER_BIN)) throw new Error(`NATS_SERVER_BIN=${process.env.NATS_SERVER_BIN} does not exist`);
    return process.env.NATS_SERVER_BIN;
  }
  const pinned = natsServerPath(PINNED.natsServer);
  if (existsSync(pinned)) return pinned;
  if (which("go")) return buildNatsServer(PINNED.natsServer, { announce: (text) => tasks.detail(text) });
  const onPath = which("nats-server");
  if (onPath) return onPath;
  if (which("apt-get") && process.getuid?.() === 0) {
    tasks.detail("apt-get install nats-server");
    await runQuiet("apt-get", ["install", "-y", "-q", "nats-server"]).catch(async () => {
      await runQuiet("apt-get", ["update", "-q"]);
      await runQuiet("apt-get", ["install", "-y", "-q", "nats-server"]);
    });
    const installed = which("nats-server");
    if (installed) {
      problems.push(
        `nats-server from Debian is ${versionOf(installed)}, far older than ${PINNED.natsServer}: install Go to build the pinned release`,
      );
      return installed;
    }
  }
  throw new Error(
    `no nats-server: install Go (then Gauntlet builds ${PINNED.natsServer}), set NATS_SERVER_BIN, or put nats-server on PATH`,
  );
}

/**
 * The `nats` CLI (natscli, for `nats bench`) for the bench/ scripts that need it: built with
 * `go install` on first use and cached beside nats-server, else `nats` on PATH.
 */
export async function ensureNatsCli(out = process.stderr) {
  const pinned = join(cacheDir, `nats-${PINNED.natsCli}`, "nats");
  if (existsSync(pinned)) return pinned;
  if (which("go")) {
    const tasks = new TaskList(out, { quietBelowMs: 0 });
    try {
      return await tasks.run(`natscli ${PINNED.natsCli} (first use, cached)`, () =>
        goInstallOnce({
          module: "github.com/nats-io/natscli/nats",
          version: PINNED.natsCli,
          name: "nats",
          dir: dirname(pinned),
          announce: (text) => tasks.detail(text),
        }),
      );
    } finally {
      tasks.finish();
    }
  }
  const onPath = which("nats");
  if (onPath) return onPath;
  throw new Error(`natscli ${PINNED.natsCli} missing (bench/ needs it for nats bench): install Go, or put nats on PATH`);
}
