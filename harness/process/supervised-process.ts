import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { GauntletError } from "../../lib/errors/index.ts";

const SETPRIV = "/usr/bin/setpriv";

export class ProcessError extends GauntletError {
  override name = "ProcessError";

  static exitedEarly(label: string, code: number | null, signal: string | null, output: string): ProcessError {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    return new ProcessError(`${label} ${how} while starting${output ? `:\n${output}` : ""}`);
  }
}

export interface SpawnOptions {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Where the child's stdout and stderr go; defaults to a small in-memory tail for error messages. */
  readonly logFile?: number;
}

/**
 * A child process that dies with its parent, even when the parent is SIGKILLed
 * (`setpriv --pdeathsig`), and lives in its own process group so a terminal's Ctrl-C
 * reaches only the harness, which then stops children in order.
 */
export class SupervisedProcess {
  readonly label: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #tail = "";
  #exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(options: SpawnOptions) {
    this.label = options.label;
    const tiesToParent = existsSync(SETPRIV);
    const command = tiesToParent ? SETPRIV : options.command;
    const args = tiesToParent ? ["--pdeathsig", "SIGKILL", "--", options.command, ...options.args] : [...options.args];
    const stdio =
      options.logFile === undefined ? (["ignore", "pipe", "pipe"] as const) : (["ignore", options.logFile, options.logFile] as const);
    this.child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: [...stdio], detached: true });
    const keepTail = (chunk: Buffer) => {
      this.#tail = (this.#tail + chunk.toString()).slice(-2000);
    };
    this.child.stdout?.on("data", keepTail);
    this.child.stderr?.on("data", keepTail);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
      this.child.once("error", (error) => {
        this.#tail += error.message;
        this.#exit = { code: -1, signal: null };
        resolve(this.#exit);
      });
    });
  }

  static spawn(options: SpawnOptions): SupervisedProcess {
    return new SupervisedProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  get outputTail(): string {
    return this.#tail.trim();
  }

  signal(signal: NodeJS.Signals): void {
    if (this.running && this.child.pid !== undefined) {
      try {
        process.kill(this.child.pid, signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
      }
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 5_000): Promise<void> {
    if (!this.running) return;
    this.signal("SIGCONT");
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.signal("SIGKILL");
    await this.exited;
  }

  /** Rejects with the child's output if it exits before `ready` settles. */
  async untilReady<T>(ready: Promise<T>): Promise<T> {
    const early = this.exited.then(({ code, signal }) => {
      throw ProcessError.exitedEarly(this.label, code, signal, this.outputTail);
    });
    return Promise.race([ready, early]);
  }
}
