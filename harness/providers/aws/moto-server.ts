import { execFile } from "node:child_process";
import { existsSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { waitUntil } from "../../../lib/retry/index.ts";
import { freePort } from "../../net/free-port.ts";
import { crashGuard, SupervisedProcess } from "../../process/index.ts";
import { AwsError } from "./aws-error.ts";

export const MOTO_VERSION = "5.2.5";

const run = promisify(execFile);

function cacheDir(): string {
  return process.env.GAUNTLET_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "gauntlet");
}

/** The Python of the virtualenv that holds moto[server] at the pinned version; created on first use. */
export async function ensureMoto(): Promise<string> {
  const venv = join(cacheDir(), `moto-${MOTO_VERSION}`);
  const python = join(venv, "bin", "python");
  if (existsSync(python)) return python;
  const staging = `${venv}.partial`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await run("python3", ["-m", "venv", staging]);
    await run(join(staging, "bin", "pip"), ["install", "--quiet", `moto[server]==${MOTO_VERSION}`], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw AwsError.emulatorUnavailable(`cannot install moto[server]==${MOTO_VERSION} in ${venv} (python3 -m venv + pip)`, error);
  }
  // `python -m moto.server` works from a renamed venv (its scripts' shebangs would not).
  renameSync(staging, venv);
  return python;
}

/** A moto server on a free loopback port: the AWS control plane of tests and of the twin; the crash guard kills it if its owner dies. */
export class MotoServer implements AsyncDisposable {
  readonly endpoint: string;
  readonly #process: SupervisedProcess;

  private constructor(endpoint: string, process: SupervisedProcess) {
    this.endpoint = endpoint;
    this.#process = process;
  }

  static async start(): Promise<MotoServer> {
    const python = await ensureMoto();
    const port = await freePort();
    const process = SupervisedProcess.spawn({
      label: "moto_server",
      command: python,
      args: ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)],
    });
    const pid = process.pid;
    if (pid !== undefined) {
      crashGuard.watchProcess(pid);
      void process.exited.then(() => crashGuard.forgetProcess(pid));
    }
    const server = new MotoServer(`http://127.0.0.1:${port}`, process);
    try {
      await waitUntil(
        async () => {
          if (!process.running) throw AwsError.emulatorUnavailable(`moto_server exited while starting: ${process.outputTail}`);
          const response = await fetch(`${server.endpoint}/moto-api/data.json`).catch(() => undefined);
          return response?.ok ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: "moto_server to answer" },
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** Forgets every resource (0.1 s): each test starts from an empty account. */
  async reset(): Promise<void> {
    await this.#post("/moto-api/reset", undefined);
  }

  /** Every resource moto holds, to compare before and after a dry run. */
  async state(): Promise<unknown> {
    const response = await fetch(`${this.endpoint}/moto-api/data.json`);
    return response.json();
  }

  /** ECS tasks stay where they are put (moto otherwise advances their state on every describe). */
  async manualTaskTransitions(): Promise<void> {
    await this.#post("/moto-api/state-manager/set-transition", {
      model_name: "ecs::task",
      transition: { progression: "manual", times: 1_000_000 },
    });
  }

  async #post(path: string, body: unknown): Promise<void> {
    const response = await fetch(`${this.endpoint}${path}`, {
      method: "POST",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw AwsError.emulatorUnavailable(`moto ${path}: HTTP ${response.status} ${await response.text()}`);
  }

  async stop(): Promise<void> {
    await this.#process.stop();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
