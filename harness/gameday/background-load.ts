import { type LiveLoad, type LoadResult, type LoadTarget, runLoad } from "../load/index.ts";

/** Requests of a stretch of the load: failed (no answer or an error status, as `http_req_failed` counts them) and dropped arrivals count as errors. */
export interface LoadWindow {
  /** The stretch's seconds of the load, [from, to). */
  readonly fromSecond: number;
  readonly toSecond: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly p99: number | null;
}

export interface LoadSecond {
  /** Seconds since the game day's start. */
  readonly t: number;
  readonly requests: number;
  readonly errors: number;
  readonly dropped: number;
  readonly p50: number;
  readonly p99: number;
}

export interface BackgroundLoadOptions {
  /** The name the game day gives it (`load: { start: NAME }`). */
  readonly name: string;
  /** The scenario module's path. */
  readonly scenario: string;
  readonly target: LoadTarget;
  readonly rate?: number | undefined;
  readonly duration: number;
  readonly vus?: number | undefined;
  readonly workers: number;
  readonly env: Record<string, string>;
}

/**
 * A load scenario run by the load engine in the background of a game day: started by a `load`
 * step, stopped by another (or at the end of the method), its per-second metrics read live so a
 * probe can judge any sliding window. The scenario's own thresholds are not applied: the game
 * day's `gateway_slo` probes are its tolerance.
 */
export class BackgroundLoad {
  readonly name: string;
  readonly scenario: string;
  readonly #live: LiveLoad;
  readonly #stop: AbortController;
  readonly #finished: Promise<LoadResult | undefined>;
  #lastSecond: number | undefined;
  #failure: string | undefined;
  /** Every window of the ended load, by window length: they no longer change. */
  readonly #endedWindows = new Map<number, LoadWindow[]>();

  private constructor(name: string, scenario: string, live: LiveLoad, stop: AbortController, run: Promise<LoadResult>) {
    this.name = name;
    this.scenario = scenario;
    this.#live = live;
    this.#stop = stop;
    this.#finished = run.then(
      (result) => {
        this.#lastSecond = result.series.length - 1;
        return result;
      },
      (error: unknown) => {
        this.#lastSecond = live.lastCompleteSecond();
        this.#failure = error instanceof Error ? error.message : String(error);
        return undefined;
      },
    );
  }

  /** Runs the scenario's setup and starts its workers; rejects when it cannot start (the setup throws, the options are wrong). */
  static async start(options: BackgroundLoadOptions): Promise<BackgroundLoad> {
    const stop = new AbortController();
    const live = Promise.withResolvers<LiveLoad>();
    const run = runLoad({
      scenario: options.scenario,
      target: options.target,
      ...(options.rate !== undefined ? { rate: options.rate } : {}),
      duration: options.duration,
      ...(options.vus !== undefined ? { vus: options.vus } : {}),
      workers: options.workers,
      env: options.env,
      thresholds: {},
      progress: false,
      onStart: live.resolve,
      signal: stop.signal,
    });
    const first = await Promise.race([live.promise, run.then(() => undefined)]);
    if (!first) throw new Error(`load ${options.name} (${options.scenario}) ended before it started`);
    return new BackgroundLoad(options.name, options.scenario, first, stop, run);
  }

  get running(): boolean {
    return this.#lastSecond === undefined;
  }

  /** Why the engine failed mid-run (a worker died), if it did. */
  get failure(): string | undefined {
    return this.#failure;
  }

  /** The last second of the load whose requests have been handed over (the load's last one once it ended), or -1. */
  #last(): number {
    return this.#lastSecond ?? this.#live.lastCompleteSecond();
  }

  #window(from: number, to: number): LoadWindow {
    const stats = this.#live.window(from, to);
    return {
      fromSecond: from,
      toSecond: to,
      requests: stats.requests + stats.dropped,
      errors: stats.errors + stats.dropped,
      errorRate: stats.errorRate,
      p99: stats.p99Ms,
    };
  }

  /**
   * Windows of `ms` to judge, whole ones only ("over any 10 s"): while the load runs, the latest
   * one, none before it has run that long; once it ended, every window of the run, one second
   * apart (the whole run when it was shorter), since answers that came late are filed under the
   * second they were scheduled for and may have reached a window already judged.
   */
  windows(ms: number): LoadWindow[] {
    const span = Math.max(1, Math.round(ms / 1000));
    const seconds = this.#last() + 1;
    if (seconds <= 0) return [];
    if (this.running) return seconds < span ? [] : [this.#window(seconds - span, seconds)];
    const ended =
      this.#endedWindows.get(span) ??
      (seconds <= span
        ? [this.#window(0, seconds)]
        : Array.from({ length: seconds - span + 1 }, (_, index) => this.#window(index, index + span)));
    this.#endedWindows.set(span, ended);
    return ended;
  }

  acknowledged(stream: string): readonly number[] {
    return this.#live.acknowledged(stream);
  }

  /** Every second so far, on the game day's clock (`originMs`: epoch ms of its start). */
  seconds(originMs: number): LoadSecond[] {
    const offset = Math.round((this.#live.startedAtMs - originMs) / 1000);
    return Array.from({ length: this.#last() + 1 }, (_, second) => {
      const stats = this.#live.window(second, second + 1);
      return {
        t: second + offset,
        requests: stats.requests,
        errors: stats.errors,
        dropped: stats.dropped,
        p50: stats.p50Ms ?? 0,
        p99: stats.p99Ms ?? 0,
      };
    });
  }

  /** Stops the scenario (its in-flight iterations finish, its teardown runs) and waits for the engine to end. */
  async stop(): Promise<void> {
    this.#stop.abort(new Error(`load ${this.name} stopped by the game day`));
    await this.#finished;
  }
}
