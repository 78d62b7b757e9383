import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { LoadError } from "./errors.ts";
import type { Generators, GeneratorsInput } from "./generators.ts";
import type { MetricDelta } from "./metrics.ts";
import { plan } from "./plan.ts";
import type { FromWorker, ToWorker, WorkerInput, WorkerPlan } from "./protocol.ts";
import { type LoadTarget, nowMs } from "./target.ts";

export interface WorkerPoolOptions {
  /** Absolute path of the scenario module. */
  file: string;
  plans: readonly WorkerPlan[];
  target: LoadTarget;
  env: Record<string, string>;
  data: unknown;
  onDelta(worker: number, delta: MetricDelta): void;
  /** How often each worker hands over its deltas (default 500 ms). */
  flushMs?: number;
}

/** Worker threads of this process running the scenario: the engine's own generators, and what an agent drives. */
export class WorkerPool implements Generators {
  readonly workers: number;
  readonly ready: Promise<void>;
  readonly finished: Promise<void>;
  readonly #threads: Worker[];
  readonly #file: string;

  private constructor(options: WorkerPoolOptions) {
    this.#file = options.file;
    this.workers = options.plans.length;
    this.#threads = options.plans.map(({ worker, assignments }) => {
      const input: WorkerInput = {
        file: pathToFileURL(options.file).href,
        worker,
        assignments,
        target: options.target,
        env: options.env,
        data: options.data,
        flushMs: options.flushMs ?? 500,
      };
      return new Worker(new URL("./worker.ts", import.meta.url), { workerData: input });
    });
    let readyCount = 0;
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => {
      markReady = resolve;
      if (this.#threads.length === 0) resolve();
    });
    const finished = this.#threads.map(
      (thread, index) =>
        new Promise<void>((resolveDone, rejectDone) => {
          const worker = options.plans[index]?.worker ?? index;
          thread.on("message", (message: FromWorker) => {
            if (message.type === "ready") {
              if (++readyCount === this.#threads.length) markReady();
            } else if (message.type === "delta") options.onDelta(worker, message.delta);
            else if (message.type === "done") {
              options.onDelta(worker, message.delta);
              resolveDone();
            } else
              rejectDone(LoadError.workerFailed(this.#file, worker, Object.assign(new Error(message.message), { stack: message.stack })));
          });
          thread.on("error", (error) => rejectDone(LoadError.workerFailed(this.#file, worker, error)));
          thread.on("exit", (code) =>
            rejectDone(LoadError.workerFailed(this.#file, worker, new Error(`exited with code ${code} before finishing`))),
          );
        }),
    );
    this.finished = Promise.all(finished).then(() => undefined);
    // Seen by whoever awaits `finished`; not an unhandled rejection before then.
    this.finished.catch(() => undefined);
  }

  static spawn(options: WorkerPoolOptions): WorkerPool {
    return new WorkerPool(options);
  }

  /** One worker per index 0…workers−1, planned over the scenarios: a run on this process alone. */
  static forRun(workers: number): (input: GeneratorsInput) => Promise<WorkerPool> {
    return async (input) => {
      const plans = plan(input.scenarios, workers)
        .map((assignments, worker) => ({ worker, assignments }))
        .filter((p) => p.assignments.length > 0);
      return WorkerPool.spawn({ ...input, plans });
    };
  }

  #post(message: ToWorker): void {
    for (const thread of this.#threads) thread.postMessage(message);
  }

  start(atMs = nowMs() + 50): number {
    this.#post({ type: "start", runStartMs: atMs });
    return atMs;
  }

  abort(reason: string): void {
    this.#post({ type: "abort", reason });
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.terminate()));
  }
}
