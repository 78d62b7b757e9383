import { faultWindows, type History, OP, PROBE, PROBE_PROCESS, pairOperations } from "../history/index.ts";
import type { CheckResult } from "./result.ts";

export interface DarkWindowCheckerOptions {
  /** Shorter fault windows are not judged. */
  readonly minWindowNs: number;
  /** The stream the publishes go to, named in the finding. */
  readonly stream: string;
}

/**
 * A finding: a fault window (longer than `minWindowNs`) in which publishes were tried and none was
 * acknowledged. The window ends when the runner asked to heal (its `heal` probe), not when the
 * heal returned: a restarted node serves again before its start returns, and publishes it
 * acknowledged then are the heal's doing, not availability during the fault.
 */
export function checkDarkWindows(history: History, options: DarkWindowCheckerOptions): CheckResult<{ windows: unknown[] }> {
  const operations = pairOperations(history).filter((operation) => operation.f === OP.publish);
  const healAsked = history.filter((entry) => entry.process === PROBE_PROCESS && entry.f === PROBE.heal).map((entry) => entry.time);
  const dark = faultWindows(history)
    .map((window) => ({ ...window, stop: healAsked.find((time) => time >= window.start && time <= window.stop) ?? window.stop }))
    .filter((window) => window.stop - window.start >= options.minWindowNs)
    .filter((window) => {
      const inside = operations.filter((operation) => operation.invokeTime >= window.start && operation.invokeTime <= window.stop);
      return inside.length > 0 && !inside.some((operation) => operation.type === "ok");
    });
  return {
    checker: "jetstream-availability",
    valid: dark.length === 0 ? (operations.length === 0 ? "unknown" : true) : false,
    reason:
      dark.length === 0
        ? "JetStream acknowledged publishes inside every fault window"
        : `finding: stream ${options.stream} acknowledged no publish for the whole ${dark
            .map((window) => `${((window.stop - window.start) / 1e9).toFixed(1)} s of ${window.fault}`)
            .join(", ")} (unavailable while the fault lasted)`,
    counts: { darkWindows: dark.length },
    details: { windows: dark.map((window) => ({ fault: window.fault, target: window.target, start: window.start, stop: window.stop })) },
  };
}
