import type { NatsConnection } from "@nats-io/nats-core";
import type { Fetch } from "../net/trusted-fetch.ts";
import { assessCluster, type ClusterExpectations } from "./cluster-assessment.ts";
import { probeGatewayReadiness } from "./gateway-readiness.ts";
import { snapshotCluster } from "./node-snapshot.ts";
import { countServiceInstances } from "./service-discovery.ts";

export interface SystemExpectations {
  /** One monitoring URL per node. */
  readonly monitoring: readonly string[];
  readonly cluster: ClusterExpectations;
  readonly gatewayUrls: readonly string[];
  /** `fetch` for the gateways (trusting their CA when they serve HTTPS). */
  readonly fetch?: Fetch;
  /** Instances each service must answer `$SRV.PING` with. */
  readonly services: Readonly<Record<string, number>>;
  /** Opens a connection for discovery; called only when there are services to count. */
  readonly connect: () => Promise<NatsConnection>;
}

export interface SystemHealth {
  readonly healthy: boolean;
  /** One line per thing that is wrong: a failing doctor check, a gateway not ready, a service short of instances. */
  readonly problems: readonly string[];
}

async function serviceProblems(expect: SystemExpectations): Promise<string[]> {
  const services = Object.entries(expect.services);
  if (services.length === 0) return [];
  let nc: NatsConnection;
  try {
    nc = await expect.connect();
  } catch (error) {
    return [`services: cannot connect to NATS to count instances: ${(error as Error).message}`];
  }
  try {
    const counts = await Promise.all(
      services.map(async ([name, wanted]) => ({ name, wanted, seen: await countServiceInstances(nc, name) })),
    );
    return counts
      .filter(({ seen, wanted }) => seen < wanted)
      .map(({ name, wanted, seen }) => `service ${name}: ${seen} of ${wanted} instances answer $SRV.PING`);
  } finally {
    await nc.close().catch(() => {});
  }
}

/** The doctor's checks of the cluster, every gateway's /readyz and every service's discovery answer, at once. */
export async function checkSystemHealth(expect: SystemExpectations): Promise<SystemHealth> {
  const [snapshots, gateways, services] = await Promise.all([
    snapshotCluster(expect.monitoring, { streams: true, timeoutMs: 2_000 }),
    Promise.all(
      expect.gatewayUrls.map(async (url) => ({
        url,
        readiness: await probeGatewayReadiness(url, { timeoutMs: 2_000, ...(expect.fetch ? { fetch: expect.fetch } : {}) }),
      })),
    ),
    serviceProblems(expect),
  ]);
  const assessment = assessCluster(snapshots, expect.cluster);
  const problems = [
    ...assessment.checks.filter((check) => check.status === "fail").map((check) => `cluster: ${check.name}: ${check.detail}`),
    ...gateways.flatMap(({ url, readiness }) => (readiness.ready ? [] : [`gateway ${url}: ${readiness.detail}`])),
    ...services,
  ];
  return { healthy: problems.length === 0, problems };
}
