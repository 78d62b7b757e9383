import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GauntletError } from "../../../lib/errors/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { processAlive } from "../../process/index.ts";
import { dockerSocket } from "./docker-socket.ts";
import { engineRunsContainers } from "./stack-resources.ts";

export class DockerEngineError extends GauntletError {
  override name = "DockerEngineError";

  static unavailable(socket: string, reason: string): DockerEngineError {
    return new DockerEngineError(
      `--provider docker: no Docker engine answers at ${socket} (${reason}); start one (as root: \`dockerd &\`, Debian package docker.io) or set DOCKER_HOST`,
    );
  }

  static cannotStart(reason: string, cause?: unknown): DockerEngineError {
    return new DockerEngineError(`cannot start dockerd: ${reason}`, { cause });
  }
}

/** Why no engine answers `/_ping` on the socket, or undefined when one does. */
export function dockerEngineProblem(socket = dockerSocket(), timeoutMs = 2_000): Promise<string | undefined> {
  if (process.env.DOCKER_HOST && !process.env.DOCKER_HOST.startsWith("unix://"))
    return Promise.resolve(`DOCKER_HOST=${process.env.DOCKER_HOST}: only unix:// sockets are supported`);
  return new Promise((resolve) => {
    const ping = request({ socketPath: socket, path: "/_ping", timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200 ? undefined : `/_ping answered ${response.statusCode}`);
    });
    ping.on("timeout", () => ping.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    ping.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ENOENT" ? "no such socket" : error.message));
    ping.end();
  });
}

/** Throws the one-line `DockerEngineError` (exit 2) when no engine answers. */
export async function requireDockerEngine(): Promise<void> {
  const problem = await dockerEngineProblem();
  if (problem) throw DockerEngineError.unavailable(dockerSocket(), problem);
}

/**
 * A hold on the machine's Docker engine. Several holders (test files, bench scripts, helpers in
 * other worktrees) share one dockerd: the first that finds none answering starts it, and the last
 * to release a dockerd Gauntlet started stops it. Holders are files named by pid, so a holder that
 * died without releasing does not keep the engine up.
 */
export class DockerEngineLease {
  readonly #dir: string;
  readonly #lease: string;
  #released = false;

  private constructor(dir: string) {
    this.#dir = dir;
    this.#lease = join(dir, "holders", String(process.pid));
  }

  static async acquire(options: { onProgress?: (message: string) => void; timeoutMs?: number } = {}): Promise<DockerEngineLease> {
    const dir = leaseDir();
    mkdirSync(join(dir, "holders"), { recursive: true });
    const lease = new DockerEngineLease(dir);
    writeFileSync(lease.#lease, "");
    try {
      if ((await dockerEngineProblem()) === undefined) return lease;
      await withLock(dir, async () => {
        if ((await dockerEngineProblem()) === undefined) return;
        const started = lease.#startedPid();
        if (started === undefined) {
          options.onProgress?.("no Docker engine answers: starting dockerd");
          lease.#startDockerd();
        }
      });
      await waitUntil(async () => ((await dockerEngineProblem()) === undefined ? true : undefined), {
        timeoutMs: options.timeoutMs ?? 60_000,
        intervalMs: 100,
        what: "dockerd to answer /_ping",
      }).catch((error: unknown) => {
        throw DockerEngineError.cannotStart(`${(error as Error).message}; its log: ${join(dir, "dockerd.log")}`, error);
      });
      return lease;
    } catch (error) {
      await lease.release();
      throw error;
    }
  }

  /** Lets go; stops the dockerd Gauntlet started when no other live holder remains. */
  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    rmSync(this.#lease, { force: true });
    await withLock(this.#dir, async () => {
      const holders = readdirSync(join(this.#dir, "holders")).filter((name) => {
        if (processAlive(Number(name))) return true;
        rmSync(join(this.#dir, "holders", name), { force: true });
        return false;
      });
      const pid = this.#startedPid();
      if (holders.length > 0 || pid === undefined) return;
      // Someone else's containers (a `gauntlet up` holds no lease): the engine stays up for them.
      if (await engineRunsContainers().catch(() => false)) return;
      process.kill(pid, "SIGTERM");
      await waitUntil(async () => (processAlive(pid) ? undefined : true), {
        timeoutMs: 30_000,
        intervalMs: 50,
        what: `dockerd (pid ${pid}) to exit`,
      });
      rmSync(join(this.#dir, "dockerd.pid"), { force: true });
    });
  }

  #startedPid(): number | undefined {
    const file = join(this.#dir, "dockerd.pid");
    if (!existsSync(file)) return undefined;
    const pid = Number(readFileSync(file, "utf8"));
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) return pid;
    rmSync(file, { force: true });
    return undefined;
  }

  #startDockerd(): void {
    const binary = ["/usr/sbin/dockerd", "/usr/bin/dockerd", "/usr/local/bin/dockerd"].find((path) => existsSync(path));
    if (!binary) throw DockerEngineError.cannotStart("no dockerd binary (Debian: apt-get install docker.io)");
    if (process.getuid?.() !== 0) throw DockerEngineError.cannotStart("dockerd needs root");
    const log = openSync(join(this.#dir, "dockerd.log"), "a");
    const child = spawn(binary, [], { detached: true, stdio: ["ignore", log, log] });
    closeSync(log);
    child.unref();
    if (child.pid === undefined) throw DockerEngineError.cannotStart("spawn failed");
    writeFileSync(join(this.#dir, "dockerd.pid"), String(child.pid));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}

function leaseDir(): string {
  return process.getuid?.() === 0 ? "/run/gauntlet-dockerd" : join(tmpdir(), "gauntlet-dockerd");
}

/** An exclusive section across processes: `mkdir` is atomic; a lock whose holder died is taken over. */
async function withLock<T>(dir: string, section: () => Promise<T>): Promise<T> {
  const lock = join(dir, "lock");
  await waitUntil(
    async () => {
      try {
        mkdirSync(lock);
        writeFileSync(join(lock, "pid"), String(process.pid));
        return true;
      } catch {
        const holder = Number(readFileSync(join(lock, "pid"), { encoding: "utf8", flag: "a+" }) || 0);
        if (holder > 0 && !processAlive(holder)) rmSync(lock, { recursive: true, force: true });
        return undefined;
      }
    },
    { timeoutMs: 90_000, intervalMs: 50, what: `the lock ${lock}` },
  );
  try {
    return await section();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
