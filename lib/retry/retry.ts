import { setTimeout as sleep } from "node:timers/promises";
import { GauntletError } from "../errors/index.ts";

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : undefined),
};

export interface RetryOptions {
  /** Names what we waited for in the error when we give up. */
  readonly what: string;
  /** Give up once this much time has passed… */
  readonly timeoutMs?: number;
  /** …or after this many attempts (whichever comes first; at least one of the two). */
  readonly attempts?: number;
  /** Pause between attempts: fixed, or by attempt number (1, 2, …) for a backoff. Default 25 ms. */
  readonly intervalMs?: number | ((attempt: number) => number);
  /** Errors worth another attempt (default: every error); any other is thrown as it is. */
  readonly retryIf?: (error: unknown) => boolean;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
}

/** Retrying gave up: `cause` is the last attempt's error, if it threw. */
export class RetryError extends GauntletError {
  override name = "RetryError";

  static timedOut(what: string, timeoutMs: number, lastError: unknown): RetryError {
    return new RetryError(`timed out after ${timeoutMs} ms waiting for ${what}${reasonOf(lastError)}`, { cause: lastError, exitCode: 1 });
  }

  static exhausted(what: string, attempts: number, lastError: unknown): RetryError {
    return new RetryError(`${what}: still failing after ${attempts} attempts${reasonOf(lastError)}`, { cause: lastError, exitCode: 1 });
  }
}

const reasonOf = (error: unknown) => (error instanceof Error ? `: ${error.message}` : "");

/**
 * The one retry loop: polls `attempt` until it returns a value other than undefined, pausing
 * between attempts, bounded by time and/or attempts; then a `RetryError` carrying the last reason.
 */
export async function waitUntil<T>(attempt: () => Promise<T | undefined>, options: RetryOptions): Promise<T> {
  if (options.timeoutMs === undefined && options.attempts === undefined)
    throw new RangeError(`waiting for ${options.what}: give timeoutMs or attempts, or it never ends`);
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
  const interval = options.intervalMs ?? 25;
  let lastError: unknown;
  for (let attempts = 1; ; attempts++) {
    options.signal?.throwIfAborted();
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      if (options.retryIf && !options.retryIf(error)) throw error;
      lastError = error;
    }
    if (options.attempts !== undefined && attempts >= options.attempts) throw RetryError.exhausted(options.what, attempts, lastError);
    if (clock.now() >= deadline) throw RetryError.timedOut(options.what, options.timeoutMs as number, lastError);
    await clock.sleep(typeof interval === "number" ? interval : interval(attempts), options.signal);
  }
}

/** Retries an operation that throws until it succeeds or the time or attempts run out. */
export async function retry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { value } = await waitUntil(async () => ({ value: await operation() }), options);
  return value;
}
