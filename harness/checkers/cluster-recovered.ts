import { type History, PROBE, PROBE_PROCESS } from "../history/index.ts";
import { faultCutLinks, onWhichNetwork } from "./network-origin.ts";
import type { CheckResult } from "./result.ts";

/** The runner's `cluster-healthy` probes after each heal: the cluster re-formed with every stream current. Undefined without probes. */
export function checkClusterRecovered(history: History): CheckResult<{ failures: unknown[] }> | undefined {
  const probes = history.filter((entry) => entry.process === PROBE_PROCESS && entry.f === PROBE.clusterHealthy);
  if (probes.length === 0) return undefined;
  const failures = probes.map((entry) => entry.value as { healthy: boolean; detail?: string }).filter((value) => !value.healthy);
  return {
    checker: "cluster",
    valid: failures.length === 0,
    reason:
      failures.length === 0
        ? "the cluster re-formed with every stream current after each heal"
        : `the cluster did not re-form after the heal: ${failures.map((value) => value.detail ?? "unhealthy").join("; ")}${faultCutLinks(history) ? onWhichNetwork(history) : ""}`,
    counts: { unhealthy: failures.length },
    details: { failures },
  };
}
