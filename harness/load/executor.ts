import type { Connections } from "./connections.ts";
import type { LoadContext } from "./context-api.ts";
import type { Abortable } from "./http/index.ts";
import type { MetricSink } from "./metrics.ts";
import { isArrivalRate, maxVUsOf, type NormalizedArrivalScenario, type NormalizedScenario, type NormalizedVuScenario } from "./options.ts";
import { arrivalOffsets, shareOf } from "./schedule.ts";
import { type LoadTarget, nowMs } from "./target.ts";
import { createVuContext, type VuContext } from "./vu-context.ts";

export type IterationFn = (ctx: LoadContext) => unknown;

export interface ExecutorEnv {
  worker: number;
  /** Workers this scenario is spread over (≤ the run's workers). */
  workers: number;
  /** Epoch ms at which the run starts. */
  runStartMs: number;
  sink: MetricSink;
  connections: Connections;
  target: LoadTarget;
  env: Record<string, string>;
  data: unknown;
  /** Stops scheduling and interrupts in-flight iterations. */
  signal: AbortSignal;
  /** First VU id of this worker, so ids are unique across workers. */
  vuIdBase: number;
}

/** Resolves at `epochMs` or later (never early: timers may fire up to a millisecond ahead), or on abort. */
async function sleepUntil(epochMs: number, signal: AbortSignal): Promise<void> {
  for (let wait = epochMs - nowMs(); wait > 0 && !signal.aborted; wait = epochMs - nowMs()) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.ceil(wait));
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    });
  }
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Time the event loop has spent waiting for I/O (ms). A VU whose iterations ran 2 ms without it
 * growing never let the loop reach its poll phase, and yields. Read only then: no timer wakes an
 * idle worker and nothing is paid per iteration (a 1 ms interval cost about 15 % of HTTP req/s).
 */
const loopIdleMs = (): number => performance.eventLoopUtilization().idle;

interface VuState {
  readonly context: VuContext;
  iterations: number;
}

class ScenarioRun {
  readonly scenario: NormalizedScenario;
  readonly env: ExecutorEnv;
  readonly fn: IterationFn;
  readonly startMs: number;
  /** Interrupts in-flight iterations (run aborted, or gracefulStop expired). */
  readonly interrupt = new AbortController();
  readonly inFlight = new Set<Promise<unknown>>();
  readonly requests = new Set<Abortable>();

  constructor(scenario: NormalizedScenario, env: ExecutorEnv, fn: IterationFn) {
    this.scenario = scenario;
    this.env = env;
    this.fn = fn;
    this.startMs = env.runStartMs + scenario.startMs;
    env.signal.addEventListener("abort", () => this.interrupt.abort(env.signal.reason), { once: true });
    this.interrupt.signal.addEventListener(
      "abort",
      () => {
        for (const request of this.requests) request.abort(new Error("interrupted: the scenario ended"));
      },
      { once: true },
    );
  }

  readonly #vus = new Map<number, VuState>();

  /** A VU's reused context and iteration count. */
  vu(vuId: number): VuState {
    let vu = this.#vus.get(vuId);
    if (!vu) {
      const context = createVuContext(
        {
          vuId,
          iteration: 0,
          scenario: this.scenario.name,
          worker: this.env.worker,
          intendedStartMs: 0,
          scenarioTags: this.scenario.tags,
          data: this.env.data,
          target: this.env.target,
          env: this.env.env,
          signal: this.interrupt.signal,
          inflight: this.requests,
        },
        this.env.sink,
        this.env.connections,
      );
      vu = { context, iterations: 0 };
      this.#vus.set(vuId, vu);
    }
    return vu;
  }

  /** Runs one iteration; resolves to when it ended (epoch ms), where the VU's next one starts. */
  async iterate(vu: VuState, intendedStartMs: number): Promise<number> {
    const { sink } = this.env;
    const tags = this.scenario.tags;
    sink.iterationStarted(intendedStartMs);
    sink.activeVUs += 1;
    const context = vu.context;
    context.reset(vu.iterations++, intendedStartMs);
    const ctx = context.ctx;
    try {
      await this.fn(ctx);
      const end = nowMs();
      if (this.interrupt.signal.aborted) sink.count("interrupted_iterations", tags);
      else sink.iterationCompleted(tags, (end - intendedStartMs) * 1000, intendedStartMs);
      return end;
    } catch (error) {
      if (this.interrupt.signal.aborted) sink.count("interrupted_iterations", tags);
      else {
        sink.error({ ...tags, error: error instanceof Error ? error.name : "thrown" }, intendedStartMs);
        sink.count("iteration_errors", tags);
      }
      return nowMs();
    } finally {
      sink.activeVUs -= 1;
    }
  }

  /** Waits for in-flight iterations up to gracefulStop after the scenario's end, then interrupts them. */
  async drain(): Promise<void> {
    const deadline = this.startMs + this.scenario.durationMs + this.scenario.gracefulStopMs;
    const stopped = new AbortController();
    const all = Promise.all(this.inFlight).then(() => stopped.abort());
    await Promise.race([all, sleepUntil(deadline, AbortSignal.any([stopped.signal, this.interrupt.signal]))]);
    this.interrupt.abort(new Error("gracefulStop expired"));
    stopped.abort();
    await all;
  }

  track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    promise.finally(() => this.inFlight.delete(promise));
  }
}

/**
 * Open model: each arrival starts at its intended time whatever the system does. An arrival
 * finding every one of this worker's maxVUs busy is not run: it counts as a dropped iteration.
 */
async function runArrivalRate(run: ScenarioRun, scenario: NormalizedArrivalScenario): Promise<void> {
  const { worker, workers, sink, signal, vuIdBase } = run.env;
  const maxVUs = shareOf(scenario.maxVUs, worker, workers);
  const free: number[] = [];
  const preAllocated = shareOf(scenario.preAllocatedVUs, worker, workers);
  for (let i = 0; i < preAllocated; i++) free.push(vuIdBase + i);
  let allocated = preAllocated;
  let sinceYield = 0;
  for (const offset of arrivalOffsets(scenario.segments, worker, workers)) {
    const due = run.startMs + offset;
    if (due > nowMs()) {
      await sleepUntil(due, signal);
      sinceYield = 0;
    } else if (++sinceYield >= 64) {
      // Behind schedule: still let responses in between catch-up starts.
      await yieldToLoop();
      sinceYield = 0;
    }
    if (signal.aborted) break;
    let vu = free.pop();
    if (vu === undefined && allocated < maxVUs) vu = vuIdBase + allocated++;
    if (vu === undefined) {
      sink.dropped(scenario.tags, due);
      continue;
    }
    const id = vu;
    run.track(run.iterate(run.vu(id), due).finally(() => free.push(id)));
  }
  await run.drain();
}

/** Closed model: each VU runs iterations back to back until the duration ends or its iterations are done. */
async function runVus(run: ScenarioRun, scenario: NormalizedVuScenario): Promise<void> {
  const { worker, workers, signal, vuIdBase } = run.env;
  await sleepUntil(run.startMs, signal);
  const end = run.startMs + scenario.durationMs;
  const vus = shareOf(scenario.vus, worker, workers);
  const loops: Promise<void>[] = [];
  for (let v = 0; v < vus; v++) {
    const vu = run.vu(vuIdBase + v);
    const loop = async () => {
      let lastYield = nowMs();
      let lastIdle = loopIdleMs();
      let start = lastYield;
      for (let i = 0; i < scenario.iterations; i++) {
        // Iterations that never wait on I/O would otherwise starve timers and sockets.
        if (start - lastYield > 2) {
          const idle = loopIdleMs();
          if (idle === lastIdle) {
            await yieldToLoop();
            start = nowMs();
          }
          lastYield = start;
          lastIdle = loopIdleMs();
        }
        if (start >= end || signal.aborted) return;
        start = await run.iterate(vu, start);
      }
    };
    const promise = loop();
    loops.push(promise);
    run.track(promise);
  }
  await run.drain();
  await Promise.all(loops);
}

export async function runScenario(scenario: NormalizedScenario, env: ExecutorEnv, fn: IterationFn): Promise<void> {
  const run = new ScenarioRun(scenario, env, fn);
  if (isArrivalRate(scenario)) await runArrivalRate(run, scenario);
  else await runVus(run, scenario);
}

/** How many workers a scenario can use: never more than it has VUs. */
export function workersFor(scenario: NormalizedScenario, workers: number): number {
  return Math.max(1, Math.min(workers, maxVUsOf(scenario)));
}
