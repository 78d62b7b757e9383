import { CLIENT_OPS, faultWindows, type History, insideAny, pairOperations } from "../history/index.ts";
import type { CheckResult } from "./result.ts";

export interface FaultErrorsCheckerOptions {
  /** Operation names that count (default: every client operation of the failover workloads). */
  readonly fs?: readonly string[];
  /** Every failure inside a fault window must be a definite answer (an error the system gave), none a timeout or an unknown outcome. */
  readonly definiteOnly?: boolean;
}

export interface FaultErrorsDetails {
  /** `<f> <error class>` → how many, for failures invoked inside a fault window. */
  readonly definite: Readonly<Record<string, number>>;
  readonly indefinite: Readonly<Record<string, number>>;
}

const listed = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([key, n]) => `${key} ×${n}`)
    .join(", ");

/**
 * How operations failed while a fault was in effect: definitely (the system answered with an
 * error: `fail`) or with no answer (a timeout, an unknown outcome: `info`). A full disk should be
 * refused with an error a client can act on, not met with silence; `definiteOnly` asserts that.
 */
export function checkFaultErrors(history: History, options: FaultErrorsCheckerOptions = {}): CheckResult<FaultErrorsDetails> {
  const fs = options.fs ?? CLIENT_OPS;
  const windows = faultWindows(history);
  const definite: Record<string, number> = {};
  const indefinite: Record<string, number> = {};
  for (const operation of pairOperations(history)) {
    if (operation.type === "ok" || !fs.includes(operation.f) || !insideAny(windows, operation.invokeTime)) continue;
    const counts = operation.type === "fail" ? definite : indefinite;
    const key = `${operation.f} ${operation.error?.class ?? "no answer"}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const definiteCount = Object.values(definite).reduce((sum, n) => sum + n, 0);
  const indefiniteCount = Object.values(indefinite).reduce((sum, n) => sum + n, 0);
  const refused = definiteCount > 0 ? `refused ${listed(definite)}` : "";
  const unanswered = indefiniteCount > 0 ? `no answer ${listed(indefinite)}` : "";
  const summary = [refused, unanswered].filter(Boolean).join("; ");
  const unclear = options.definiteOnly === true && indefiniteCount > 0;
  return {
    checker: "fault-errors",
    valid: windows.length === 0 ? "unknown" : !unclear,
    reason:
      windows.length === 0
        ? "no fault window"
        : unclear
          ? `${indefiniteCount} operations inside the fault got no clear answer (${summary})`
          : summary
            ? `inside the fault: ${summary}`
            : "no operation failed inside the fault",
    counts: { definite: definiteCount, indefinite: indefiniteCount },
    details: { definite, indefinite },
  };
}
