import { setTimeout as sleep } from "node:timers/promises";
import { GauntletError } from "../../lib/errors/index.ts";

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) => sleep(ms, undefined, signal ? { signal } : undefined),
};

export interface RetryOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
  readonly clock?: Clock;
  /** Names what we waited for in the timeout error. */
  readonly what: string;
}

/** Polls `attempt` until it returns a value other than undefined; the last reason goes in the timeout error. */
export async function waitUntil<T>(attempt: () => Promise<T | undefined>, options: RetryOptions): Promise<T> {
  const clock = options.clock ?? systemClock;
  const deadline = clock.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await attempt();
      if (value !== undefined) return value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (clock.now() >= deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : "";
      throw new GauntletError(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${reason}`, {
        cause: lastError,
        exitCode: 1,
      });
    }
    await clock.sleep(options.intervalMs ?? 25, options.signal);
  }
}

/** Retries an operation that throws until it succeeds or the time runs out. */
export async function retry<T>(operation: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { value } = await waitUntil(async () => ({ value: await operation() }), options);
  return value;
}
