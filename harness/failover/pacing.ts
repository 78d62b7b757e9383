/** Resolves after `ms`, or at once when `signal` aborts. */
export const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });

/**
 * The ticks of a fixed-rate schedule: `origin` (default: its creation, in `performance.now()` time)
 * + `phaseMs` + k·`intervalMs`. Unlike a sleep
 * after each step it does not drift by the time the steps take, and clients given different phases
 * stay interleaved (timers of one length set in one tick would fire together). A tick the thread
 * was too late for is skipped, never made up in a burst.
 */
export class FixedRate {
  readonly #origin: number;
  readonly #intervalMs: number;
  #tick = -1;

  constructor(intervalMs: number, options: { readonly phaseMs?: number; readonly origin?: number } = {}) {
    this.#origin = (options.origin ?? performance.now()) + (options.phaseMs ?? 0);
    this.#intervalMs = intervalMs;
  }

  /** Waits for the next tick (returns at once when `signal` aborts). */
  next(signal: AbortSignal): Promise<void> {
    const now = performance.now();
    this.#tick = Math.max(this.#tick + 1, Math.ceil((now - this.#origin) / this.#intervalMs));
    return sleep(this.#origin + this.#tick * this.#intervalMs - now, signal);
  }
}
