import { waitUntil } from "../../lib/retry/index.ts";
import { assessCluster, type ClusterAssessment, snapshotCluster } from "../probes/index.ts";
import type { NemesisTarget } from "./target.ts";

export interface HealthWait {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
}

/** Waits until every node is routed to every other, one meta leader rules, and every stream replica is current. */
export function waitForHealthy(target: NemesisTarget, options: HealthWait = {}): Promise<ClusterAssessment> {
  return waitUntil(
    async () => {
      const snapshots = await snapshotCluster(target.monitoringUrls, { streams: true, timeoutMs: 1_000 });
      const assessment = assessCluster(snapshots, { nodes: target.nodes.length });
      const failing = assessment.checks.filter((check) => check.status === "fail");
      if (assessment.formed && failing.length === 0) return assessment;
      throw new Error(failing.map((check) => `${check.name}: ${check.detail}`).join("; "));
    },
    {
      timeoutMs: options.timeoutMs ?? 60_000,
      intervalMs: 100,
      what: `the ${target.nodes.length}-node cluster to re-form with every stream current`,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
}
