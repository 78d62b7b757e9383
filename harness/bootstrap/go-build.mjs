// Builds a Go module's binary with `go install` once into a cache directory, however many
// processes ask for it at once: a lock directory beside it (the owner's pid inside) lets one
// process build while the others wait, and the binary appears under its name only when whole.
// Plain JavaScript with no dependencies: the bootstrap uses it before `npm ci` and on old Node.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runQuiet } from "./run-quiet.mjs";

const POLL_MS = 250;
/** A lock dir with no owner file yet is being made; older than this, its maker died half-way. */
const HALF_MADE_MS = 10_000;
const WAIT_LIMIT_MS = 15 * 60_000;

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** Takes the lock, or returns the pid of the live process holding it (undefined while it is being made). */
function takeLock(lock) {
  mkdirSync(dirname(lock), { recursive: true });
  try {
    mkdirSync(lock);
  } catch {
    let owner;
    try {
      owner = Number(readFileSync(join(lock, "owner"), "utf8"));
    } catch {
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
      if (age < HALF_MADE_MS) return { taken: false, owner: undefined };
    }
    if (owner !== undefined && processAlive(owner)) return { taken: false, owner };
    rmSync(lock, { recursive: true, force: true });
    return takeLock(lock);
  }
  writeFileSync(join(lock, "owner"), String(process.pid));
  return { taken: true };
}

/**
 * `go install module@version` into `dir` (the binary: `dir/name`) unless it is there already.
 * `env` is added to the build's environment (CGO_ENABLED=0 for a static binary); `announce`
 * hears what is happening (building, waiting for another process); `signal` stops the build.
 */
export async function goInstallOnce({ module, version, name, dir, env = {}, announce = () => {}, signal }) {
  const binary = join(dir, name);
  const lock = `${dir}.lock`;
  const giveUpAt = Date.now() + WAIT_LIMIT_MS;
  while (!existsSync(binary)) {
    signal?.throwIfAborted();
    const attempt = takeLock(lock);
    if (attempt.taken) {
      try {
        if (!existsSync(binary)) await build({ module, version, name, dir, env, announce, signal });
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      break;
    }
    if (Date.now() > giveUpAt) throw new Error(`gave up waiting for process ${attempt.owner} to build ${module}@${version} (lock ${lock})`);
    announce(`waiting for process ${attempt.owner ?? "?"}, which is building ${module}@${version}`);
    await sleep(POLL_MS, undefined, signal ? { signal } : {});
  }
  return binary;
}

async function build({ module, version, name, dir, env, announce, signal }) {
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    announce(`go install ${module}@${version}`);
    await runQuiet("go", ["install", `${module}@${version}`], { env: { ...process.env, ...env, GOBIN: staging }, signal });
    mkdirSync(dir, { recursive: true });
    renameSync(join(staging, name), join(dir, name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
