import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { type History, type HistoryEntry, HistoryRecorder, PROBE } from "../history/index.ts";
import type { ProcessorStall } from "./processor-stall.ts";
import { WorkloadError } from "./workload-error.ts";
import type { FromWorkloadProcess, ToWorkloadProcess } from "./workload-protocol.ts";
import { type RunningWorkloads, startWorkloads, type WorkloadPlan } from "./workload-set.ts";

/**
 * Where the workloads and probes run: `process` (default) in a process of their own, so nothing
 * the harness does (stack control, load, checkers, a stalled event loop) delays an attempt, with a
 * real-time priority where the machine allows it; `main` on the harness's event loop, as before,
 * to compare the two.
 */
export type WorkloadPlacement = "process" | "main";

export const WORKLOAD_PLACEMENT_ENV = "GAUNTLET_FAILOVER_WORKLOADS";

export function workloadPlacementFromEnv(env: NodeJS.ProcessEnv = process.env): WorkloadPlacement {
  const value = env[WORKLOAD_PLACEMENT_ENV];
  if (value === undefined || value === "" || value === "process") return "process";
  if (value === "main") return "main";
  throw new WorkloadError(`${WORKLOAD_PLACEMENT_ENV}=${value}: expected process or main`);
}

const FLUSH_MS = 100;
const ENTRY = fileURLToPath(new URL("./workload-process.ts", import.meta.url));

/**
 * An experiment's workloads and probes, started where `placement` says; they record into a
 * timeline shared with the main recorder (`startNs`), and `entries` holds what they recorded so
 * far, to be merged with the main recorder's (`mergeHistories`).
 */
export class WorkloadRunner implements AsyncDisposable {
  readonly #entries: HistoryEntry[];
  readonly #inLoop: RunningWorkloads | undefined;
  readonly #child: ChildProcess | undefined;
  readonly #finished: Promise<readonly unknown[]> | undefined;

  private constructor(parts: {
    entries: HistoryEntry[];
    inLoop?: RunningWorkloads;
    child?: { process: ChildProcess; finished: Promise<readonly unknown[]> };
  }) {
    this.#entries = parts.entries;
    this.#inLoop = parts.inLoop;
    this.#child = parts.child?.process;
    this.#finished = parts.child?.finished;
  }

  static async start(
    plan: WorkloadPlan,
    options: { readonly startNs: bigint; readonly placement: WorkloadPlacement; readonly stall?: ProcessorStall | undefined },
  ): Promise<WorkloadRunner> {
    if (options.placement === "main") {
      const history = new HistoryRecorder({ startNs: options.startNs });
      history.probe(PROBE.workloads, { placement: "main", scheduling: "default" });
      const workloads = await startWorkloads(plan, history, options.stall);
      return new WorkloadRunner({ entries: history.entries as HistoryEntry[], inLoop: workloads });
    }
    const child = fork(ENTRY, [], { execArgv: [], serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] });
    const entries: HistoryEntry[] = [];
    let started: (error?: unknown) => void = () => {};
    const startup = new Promise<void>((resolve, reject) => {
      started = (error) => (error === undefined ? resolve() : reject(error));
    });
    let done = false;
    const finished = new Promise<readonly unknown[]>((resolve, reject) => {
      const fail = (error: WorkloadError) => {
        started(error);
        reject(error);
      };
      child.on("message", (message: FromWorkloadProcess) => {
        if (message.type === "entries") entries.push(...(JSON.parse(message.json) as HistoryEntry[]));
        else if (message.type === "started") started();
        else if (message.type === "finished") {
          done = true;
          resolve(message.failures.map(WorkloadError.thrown));
        } else fail(WorkloadError.thrown(message.error));
      });
      child.on("error", (error) => fail(WorkloadError.processDied(`failed: ${error.message}`, error)));
      child.on("exit", (code, signal) => {
        if (!done) fail(WorkloadError.processDied(`exited (${signal ?? `code ${code}`}) before the workloads finished`));
      });
    });
    // Seen by whoever awaits `finish`; not an unhandled rejection before then.
    finished.catch(() => {});
    const runner = new WorkloadRunner({ entries, child: { process: child, finished } });
    runner.#post({ type: "start", plan, startNs: options.startNs, flushMs: FLUSH_MS });
    options.stall?.onChange((stalled) => runner.#post({ type: "processor-stalled", stalled }));
    try {
      await startup;
    } catch (error) {
      await runner.close();
      throw error;
    }
    return runner;
  }

  /** What the workloads and probes recorded so far (all of it once `finish` returned). */
  get entries(): History {
    return this.#entries;
  }

  /** No new operation starts. */
  stopWorkloads(): void {
    this.#inLoop?.stopWorkloads();
    this.#post({ type: "stop-workloads" });
  }

  /** Stops the workloads, lets them wind down, stops the probes; throws what a workload failed with. */
  async finish(): Promise<void> {
    let failures: readonly unknown[];
    if (this.#inLoop) failures = await this.#inLoop.finish();
    else {
      this.#post({ type: "finish" });
      failures = await (this.#finished as Promise<readonly unknown[]>);
    }
    if (failures.length > 0) throw failures[0];
  }

  #post(message: ToWorkloadProcess): void {
    if (this.#child?.connected) this.#child.send(message);
  }

  /** Ends whatever still runs: the workload process (its connections with it) is killed if it has not exited. */
  async close(): Promise<void> {
    await this.#inLoop?.abort();
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await exited;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
