import { type RetryOptions, waitUntil } from "../../lib/retry/index.ts";
import { assessCluster, type ClusterAssessment } from "./cluster-assessment.ts";
import { snapshotCluster } from "./node-snapshot.ts";

/** Polls every node's /varz, /routez and /jsz until the cluster has really formed; never sleeps blindly. */
export function waitForClusterFormed(
  monitoringUrls: readonly string[],
  options: Omit<RetryOptions, "what"> & { onProgress?: (assessment: ClusterAssessment) => void },
): Promise<ClusterAssessment> {
  return waitUntil(
    async () => {
      const assessment = assessCluster(await snapshotCluster(monitoringUrls, { timeoutMs: 1_000 }), { nodes: monitoringUrls.length });
      options.onProgress?.(assessment);
      if (assessment.formed) return assessment;
      throw new Error(
        assessment.checks
          .filter((check) => check.status === "fail")
          .map((check) => `${check.name}: ${check.detail}`)
          .join("; "),
      );
    },
    { ...options, what: `a ${monitoringUrls.length}-node cluster to form` },
  );
}
