import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";
import { LoadError } from "./errors.ts";
import type { GeneratorsFactory } from "./generators.ts";
import { trendStat } from "./histogram.ts";
import { MetricStore } from "./metrics.ts";
import { expectedArrivals, isArrivalRate, type NormalizedScenario, normalizeScenarios } from "./options.ts";
import { formatSummary, ProgressLine } from "./progress.ts";
import { ResourceSampler } from "./resources.ts";
import { type LoadResult, type SecondPoint, serializeHistograms, summarizeMetrics, taggedValues } from "./result.ts";
import { type LoadTarget, nowMs } from "./target.ts";
import { evaluateThreshold, parseThresholds, type Threshold } from "./thresholds.ts";
import { WorkerPool } from "./worker-pool.ts";

export interface RunLoadOptions {
  /** Path of the scenario module (a .ts file exporting `options` and an iteration function). */
  scenario: string;
  target: LoadTarget;
  /** Overrides: arrivals per second, total duration ("30s" or ms). */
  rate?: number;
  duration?: number;
  /** Virtual users (closed-model vus, arrival-rate maxVUs). */
  vus?: number;
  /** Worker threads; default: one per core. */
  workers?: number;
  /** Where the workers run instead of this process's threads (agents: `agentFleet`); `workers` is then theirs to decide. */
  generators?: GeneratorsFactory;
  env?: Record<string, string>;
  /** Replaces the scenario's own `options.thresholds` (a profile's stricter or looser gate). */
  thresholds?: Record<string, unknown>;
  /** Where `thresholds` came from (e.g. "profiles/release.yaml:load[0].thresholds"), named in their errors. */
  thresholdsFrom?: string;
  /** Local pids of the system under test whose CPU and RSS are sampled. */
  pids?: number[];
  /** Where the live line and the summary go (stderr by default); false for silence. */
  progress?: (NodeJS.WritableStream & { isTTY?: boolean }) | false;
  /** Writes `load.json` here when set. */
  outDir?: string;
  /** Called once the workers have started, with the run's metrics as they arrive. */
  onStart?: (live: LiveLoad) => void;
  signal?: AbortSignal;
}

/** A running load's per-second metrics as the workers hand them over, for a caller that judges them live (a game day). */
export interface LiveLoad {
  /** Epoch ms (`nowMs()`) of second 0. */
  readonly startedAtMs: number;
  /** The last second every worker has handed over (requests still out may yet be filed under it), or -1. */
  lastCompleteSecond(): number;
  /** Seconds [from, to) merged. */
  window(fromSecond: number, toSecond: number): WindowStats;
  /** Every sequence of `stream` the scenario reported acknowledged (`ctx.acknowledged`). */
  acknowledged(stream: string): readonly number[];
}

export interface SetupContext {
  target: LoadTarget;
  env: Record<string, string>;
  /** A NATS connection to the target, open from setup until after teardown. */
  nats(): Promise<NatsConnection>;
}

/** A window of the run for a scenario's `summarize`: counts and request latency over seconds [from, to). */
export interface WindowStats {
  seconds: number;
  started: number;
  requests: number;
  errors: number;
  dropped: number;
  errorRate: number;
  ratePerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface SummarizeView {
  scenarios: NormalizedScenario[];
  env: Record<string, string>;
  window(fromSecond: number, toSecond: number): WindowStats;
}

interface ScenarioModule {
  options?: unknown;
  setup?: (ctx: SetupContext) => unknown;
  teardown?: (ctx: SetupContext, data: unknown) => unknown;
  summarize?: (view: SummarizeView) => unknown;
  [name: string]: unknown;
}

/** setup's and teardown's NATS connection: opened on first use, kept open through the run (a responder set up there keeps answering), closed at the end. */
class SetupConnection {
  readonly #target: LoadTarget;
  #nc: Promise<NatsConnection> | undefined;

  constructor(target: LoadTarget) {
    this.#target = target;
  }

  context(env: Record<string, string>): SetupContext {
    return { target: this.#target, env, nats: () => this.#connect() };
  }

  #connect(): Promise<NatsConnection> {
    const nats = this.#target.nats;
    if (!nats?.servers.length) throw new LoadError("setup uses NATS but the target has no nats.servers");
    this.#nc ??= connect(natsConnectionOptions(nats, { name: "gauntlet-load-setup" }));
    return this.#nc;
  }

  async close(): Promise<void> {
    const nc = this.#nc;
    this.#nc = undefined;
    if (nc) await (await nc).drain().catch(() => undefined);
  }
}

function statsOf(store: MetricStore, from: number, to: number): WindowStats {
  const w = store.window(from, to);
  const seconds = Math.max(0, to - from);
  const p = (q: number) => (w.latency.totalCount ? trendStat(w.latency, `p(${q})`) : null);
  return {
    seconds,
    started: w.started,
    requests: w.requests,
    errors: w.errors,
    dropped: w.dropped,
    errorRate: w.requests + w.dropped ? (w.errors + w.dropped) / (w.requests + w.dropped) : 0,
    ratePerSecond: seconds ? w.started / seconds : 0,
    p50Ms: p(50),
    p99Ms: p(99),
  };
}

/** Runs a scenario module against a target: workers, live progress, thresholds, resources, results. */
export async function runLoad(options: RunLoadOptions): Promise<LoadResult> {
  const file = resolve(options.scenario);
  let module: ScenarioModule;
  try {
    module = (await import(pathToFileURL(file).href)) as ScenarioModule;
  } catch (error) {
    throw LoadError.scenarioNotLoadable(file, error);
  }
  const overrides = {
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    ...(options.duration !== undefined ? { durationMs: options.duration } : {}),
    ...(options.vus !== undefined ? { vus: options.vus } : {}),
  };
  const scenarios = normalizeScenarios(file, module.options, overrides);
  const rawOptions = module.options as { thresholds?: unknown };
  const thresholds = options.thresholds
    ? parseThresholds(options.thresholdsFrom ?? file, options.thresholds)
    : parseThresholds(file, rawOptions.thresholds);
  for (const scenario of scenarios) {
    if (typeof module[scenario.exec] !== "function") {
      throw LoadError.invalidOption(file, `options.scenarios.${scenario.name}.exec`, `the module exports no function '${scenario.exec}'`);
    }
  }
  const env = options.env ?? {};
  const setupConnection = new SetupConnection(options.target);
  try {
    return await execute(file, module, scenarios, thresholds, options, env, setupConnection);
  } finally {
    await setupConnection.close();
  }
}

async function execute(
  file: string,
  module: ScenarioModule,
  scenarios: NormalizedScenario[],
  thresholds: Threshold[],
  options: RunLoadOptions,
  env: Record<string, string>,
  setupConnection: SetupConnection,
): Promise<LoadResult> {
  const context = setupConnection.context(env);
  const data = module.setup ? await runSetup(file, module.setup, context) : undefined;
  let result: LoadResult;
  try {
    result = await drive(file, module, scenarios, thresholds, options, env, data);
  } catch (error) {
    // The run's own failure is the one to report; teardown still cleans up behind it.
    await teardown(file, module, context, data).catch(() => undefined);
    throw error;
  }
  await teardown(file, module, context, data);
  return result;
}

async function runSetup(file: string, setup: NonNullable<ScenarioModule["setup"]>, context: SetupContext): Promise<unknown> {
  try {
    return await setup(context);
  } catch (error) {
    throw LoadError.setupFailed(file, error);
  }
}

/** The scenario's `teardown(ctx, data)`, after every run that got past setup: finished, aborted or failed. */
async function teardown(file: string, module: ScenarioModule, context: SetupContext, data: unknown): Promise<void> {
  if (!module.teardown) return;
  try {
    await module.teardown(context, data);
  } catch (error) {
    throw LoadError.teardownFailed(file, error);
  }
}

async function drive(
  file: string,
  module: ScenarioModule,
  scenarios: NormalizedScenario[],
  thresholds: Threshold[],
  options: RunLoadOptions,
  env: Record<string, string>,
  data: unknown,
): Promise<LoadResult> {
  const totalMs = Math.max(...scenarios.map((s) => s.startMs + s.durationMs));
  const store = new MetricStore();
  const progressStream = options.progress === false ? undefined : (options.progress ?? process.stderr);
  const progress = progressStream ? new ProgressLine(progressStream) : undefined;
  const sampler = new ResourceSampler(options.pids ?? [], options.target.nats?.monitoring ?? []);
  const startedAt = new Date().toISOString();
  let aborted: string | null = null;
  let runStartMs = 0;

  const open: GeneratorsFactory = options.generators ?? WorkerPool.forRun(Math.max(1, options.workers ?? availableParallelism()));
  const generators = await open({
    file,
    scenarios,
    target: options.target,
    env,
    data,
    onDelta: (worker, delta) => store.apply(delta, worker),
    notice: (line) => {
      progress?.end();
      progressStream?.write(`${line}\n`);
    },
  });
  const abortAll = (reason: string) => {
    if (aborted !== null) return;
    aborted = reason;
    generators.abort(reason);
  };

  const onAbort = () => abortAll(options.signal?.reason instanceof Error ? options.signal.reason.message : "interrupted");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const abortable = thresholds.filter((t) => t.abortOnFail);
  const lastCompleteSecond = () => Math.min(store.lastCompleteSecond(generators.workers), Math.floor((nowMs() - runStartMs) / 1000) - 1);
  const tick = setInterval(() => {
    if (!runStartMs) return;
    const elapsedMs = nowMs() - runStartMs;
    checkAbort(abortable, store, elapsedMs, abortAll);
    const second = lastCompleteSecond();
    if (second < 0) return;
    const last = store.seconds.get(second);
    progress?.update({
      elapsedMs,
      totalMs,
      targetRate: scenarios.some(isArrivalRate) ? expectedArrivals(scenarios, second * 1000, second * 1000 + 1000) : null,
      achievedRate: last?.started ?? 0,
      p50Ms: last?.latency.totalCount ? trendStat(last.latency, "p(50)") : null,
      p99Ms: last?.latency.totalCount ? trendStat(last.latency, "p(99)") : null,
      errors: store.query("errors")?.count ?? 0,
      dropped: store.query("dropped_iterations")?.count ?? 0,
      activeVUs: [...store.activeVUs.values()].reduce((a, b) => a + b, 0),
    });
  }, 1000);

  // The first failure stops everyone: the others may still wait for a start that never comes.
  let failure: { error: unknown } | undefined;
  const finished = generators.finished.catch((error: unknown) => {
    failure = { error };
    abortAll("a worker failed");
    return generators.close();
  });
  try {
    await Promise.race([generators.ready, finished]);
    if (!failure) {
      runStartMs = generators.start();
      sampler.start();
      options.onStart?.({
        startedAtMs: runStartMs,
        lastCompleteSecond,
        window: (from, to) => statsOf(store, from, to),
        acknowledged: (stream) => store.acked.get(stream) ?? [],
      });
    }
    await finished;
    if (failure) throw failure.error;
  } finally {
    clearInterval(tick);
    options.signal?.removeEventListener("abort", onAbort);
    progress?.end();
    await generators.close();
    await sampler.stop();
  }
  const elapsedMs = nowMs() - runStartMs;

  const thresholdResults = thresholds.map((t) => evaluateThreshold(t, store, elapsedMs));
  const agents = generators.agents?.();
  const agentLost = agents?.some((a) => a.lost) ?? false;
  const passed = thresholdResults.every((t) => t.passed) && !agentLost;
  const lastSecond = Math.max(-1, ...store.seconds.keys());
  const series: SecondPoint[] = [];
  for (let t = 0; t <= lastSecond; t++) {
    const s = store.seconds.get(t);
    series.push({
      t,
      targetRate: expectedArrivals(scenarios, t * 1000, t * 1000 + 1000),
      started: s?.started ?? 0,
      completed: s?.completed ?? 0,
      requests: s?.requests ?? 0,
      errors: s?.errors ?? 0,
      dropped: s?.dropped ?? 0,
      p50Ms: s?.latency.totalCount ? trendStat(s.latency, "p(50)") : null,
      p99Ms: s?.latency.totalCount ? trendStat(s.latency, "p(99)") : null,
    });
  }
  const result: LoadResult = {
    schema: "gauntlet.load/v1",
    file,
    startedAt,
    durationMs: elapsedMs,
    workers: generators.workers,
    scenarios: scenarios.map((s) => ({ name: s.name, executor: s.executor, durationMs: s.durationMs, startMs: s.startMs })),
    aborted,
    passed,
    exitCode: agentLost ? 1 : passed ? 0 : 99,
    thresholds: thresholdResults,
    metrics: summarizeMetrics(store, elapsedMs),
    histograms: serializeHistograms(store),
    tagged: taggedValues(store),
    series,
    resources: sampler.usage,
    ...(agents ? { agents } : {}),
  };
  if (module.summarize) {
    try {
      result.report = await module.summarize({ scenarios, env, window: (from, to) => statsOf(store, from, to) });
    } catch (error) {
      // The run itself stands; say in its place why the report is missing.
      result.report = { error: `${file}: summarize failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  if (progressStream) progressStream.write(formatSummary(result));
  if (options.outDir) {
    await mkdir(options.outDir, { recursive: true });
    await writeFile(join(options.outDir, "load.json"), `${JSON.stringify(result, null, 2)}\n`);
  }
  return result;
}

function checkAbort(thresholds: Threshold[], store: MetricStore, elapsedMs: number, abort: (reason: string) => void): void {
  for (const threshold of thresholds) {
    if (elapsedMs < threshold.delayAbortEvalMs) continue;
    const result = evaluateThreshold(threshold, store, elapsedMs);
    // No samples yet is not a failure worth aborting for.
    if (!result.passed && result.actual !== null) {
      abort(`threshold ${threshold.key}: ${threshold.expression} failed (actual ${result.actual}) with abortOnFail`);
      return;
    }
  }
}
