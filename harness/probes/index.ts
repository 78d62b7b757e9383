export type { Check, CheckStatus } from "./check.ts";
export {
  assessCluster,
  type ClusterAssessment,
  type ClusterExpectations,
  findIslands,
  formationProgressLine,
  nodeLabels,
  streamsFromLeaders,
} from "./cluster-assessment.ts";
export { recordClusterState } from "./cluster-snapshot.ts";
export { type DurabilityExpectations, streamDurabilityCheck, syncCheck, syncSetting } from "./durability-assessment.ts";
export { type GatewayReadiness, probeGatewayReadiness } from "./gateway-readiness.ts";
export { getMonitoring, JETSTREAM_READY_PATH, MonitoringError } from "./monitoring-client.ts";
export {
  type JetStreamSync,
  type NodeSnapshot,
  type ReachableSnapshot,
  type StreamView,
  snapshotCluster,
  snapshotNode,
} from "./node-snapshot.ts";
export { countServiceInstances, discoverServiceInstances, type ServiceInstance } from "./service-discovery.ts";
export { checkSystemHealth, type SystemExpectations, type SystemHealth } from "./system-health.ts";
export { clusterExpectationsOf, manifestOf } from "./target-expectations.ts";
export { checkTlsClient } from "./tls-client.ts";
export { waitForClusterFormed } from "./wait-for-cluster.ts";
