import type { History } from "../history/index.ts";
import { type AvailabilityCheckerOptions, checkAvailability } from "./availability.ts";
import { checkKvRegister, type KvRegisterCheckerOptions } from "./kv-register.ts";
import { checkLatency, type LatencyCheckerOptions } from "./latency.ts";
import { checkQueue, type QueueCheckerOptions } from "./queue.ts";
import { checkReconnection, type ReconnectionCheckerOptions } from "./reconnection.ts";
import { type CheckResult, mergeValidity, type Validity } from "./result.ts";

/** Which checkers to run; a checker left out does not run. */
export interface CheckHistoryOptions {
  readonly queue?: QueueCheckerOptions;
  readonly kvRegister?: KvRegisterCheckerOptions;
  readonly availability?: AvailabilityCheckerOptions;
  readonly reconnection?: ReconnectionCheckerOptions;
  readonly latency?: LatencyCheckerOptions;
}

export interface HistoryVerdict {
  readonly valid: Validity;
  readonly results: Readonly<Record<string, CheckResult>>;
}

/** Runs the chosen checkers over one history (Jepsen's `compose`); valid merges theirs. */
export function checkHistory(history: History, options: CheckHistoryOptions): HistoryVerdict {
  const results: Record<string, CheckResult> = {};
  if (options.queue) results.queue = checkQueue(history, options.queue);
  if (options.kvRegister) results.kvRegister = checkKvRegister(history, options.kvRegister);
  if (options.availability) results.availability = checkAvailability(history, options.availability);
  if (options.reconnection) results.reconnection = checkReconnection(history, options.reconnection);
  if (options.latency) results.latency = checkLatency(history, options.latency);
  return { valid: mergeValidity(Object.values(results).map((result) => result.valid)), results };
}
