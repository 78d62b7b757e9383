import { CLIENT_OPS, effectiveWindows, type History, pairOperations } from "../history/index.ts";
import type { CheckResult, Validity } from "./result.ts";

export interface SteadyStateCheckerOptions {
  /** Failures this long after a heal are still the fault's doing. */
  readonly graceNs: number;
  /** Operation names that count (default: every client operation of the failover workloads). */
  readonly fs?: readonly string[];
}

/** Client operations that failed (or timed out) outside every fault window and its grace period: a broken steady state. */
export function checkSteadyState(history: History, options: SteadyStateCheckerOptions): CheckResult<{ examples: unknown[] }> {
  const fs = options.fs ?? CLIENT_OPS;
  const windows = effectiveWindows(history);
  const operations = pairOperations(history).filter((operation) => fs.includes(operation.f));
  const outside = operations.filter(
    (operation) =>
      operation.type !== "ok" &&
      !windows.some(
        (window) =>
          operation.invokeTime >= window.start - 1e9 &&
          operation.invokeTime <= (window.healed ? window.stop + options.graceNs : Number.POSITIVE_INFINITY),
      ),
  );
  const byClass: Record<string, number> = {};
  for (const operation of outside) {
    const key = `${operation.f} ${operation.error?.class ?? operation.type}`;
    byClass[key] = (byClass[key] ?? 0) + 1;
  }
  const total = operations.length;
  const valid: Validity = outside.length === 0 ? (total === 0 ? "unknown" : true) : false;
  const reason =
    outside.length === 0
      ? `no failed operation outside fault windows (${total} operations)`
      : `${outside.length} operations failed with no fault in effect: ${Object.entries(byClass)
          .map(([key, n]) => `${key} ×${n}`)
          .join(", ")}`;
  return {
    checker: "steady-state",
    valid,
    reason,
    counts: { failedOutsideFaults: outside.length, operations: total },
    details: { examples: outside.slice(0, 10) },
  };
}
