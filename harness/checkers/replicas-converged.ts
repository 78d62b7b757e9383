import { type History, PROBE, PROBE_PROCESS } from "../history/index.ts";
import { onWhichNetwork } from "./network-origin.ts";
import type { CheckResult } from "./result.ts";

/** The `stream-replicas` probe the final reads leave: every replica of the stream caught up after the heal. Undefined without it. */
export function checkReplicasConverged(history: History): CheckResult<{ lagging: unknown }> | undefined {
  const probe = history.findLast((entry) => entry.process === PROBE_PROCESS && entry.f === PROBE.streamReplicas);
  if (!probe) return undefined;
  const value = probe.value as { stream: string; converged: boolean; lagging: { name: string; lag: number }[] };
  return {
    checker: "replicas",
    valid: value.converged,
    reason: value.converged
      ? `every replica of ${value.stream} caught up`
      : `replicas of ${value.stream} still behind before the final reads: ${value.lagging.map((r) => `${r.name} lag ${r.lag}`).join(", ")}${onWhichNetwork(history)}`,
    counts: { lagging: value.lagging.length },
    details: { lagging: value.lagging },
  };
}
