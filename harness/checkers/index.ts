export {
  type AvailabilityCheckerOptions,
  type AvailabilityDetails,
  checkAvailability,
  type WindowGapBound,
} from "./availability.ts";
export { type CheckHistoryOptions, checkHistory, type HistoryVerdict } from "./check-history.ts";
export { checkClusterRecovered } from "./cluster-recovered.ts";
export { checkConsumerDeliveries } from "./consumer-deliveries.ts";
export { checkDarkWindows, type DarkWindowCheckerOptions } from "./dark-windows.ts";
export { CheckerError } from "./errors.ts";
export {
  type ExperimentChecks,
  type ExperimentMeta,
  type ExperimentVerdict,
  experimentMeta,
  judgeExperiment,
  type ResolutionMs,
} from "./experiment-verdict.ts";
export { checkFaultErrors, type FaultErrorsCheckerOptions, type FaultErrorsDetails } from "./fault-errors.ts";
export {
  checkKvRegister,
  type KvRegisterCheckerOptions,
  type KvRegisterDetails,
  type KvViolation,
  type KvViolationKind,
} from "./kv-register.ts";
export {
  checkLatency,
  type LatencyCheckerOptions,
  type LatencyDetails,
  type LatencyStats,
  latencyStats,
  type WindowLatency,
} from "./latency.ts";
export { CheckHistoryOptionsSchema } from "./options-schema.ts";
export { checkQueue, type MessageRef, type PlacedRef, type QueueCheckerOptions, type QueueDetails } from "./queue.ts";
export { checkReconnection, type ReconnectionCheckerOptions, type ReconnectionDetails } from "./reconnection.ts";
export {
  placeUnread,
  REPLICA_EVIDENCE_F,
  type ReplicaEvidence,
  type ReplicaState,
  type UnreadClass,
  type UnreadPlacement,
} from "./replica-evidence.ts";
export { checkReplicasConverged } from "./replicas-converged.ts";
export { measurementResolution, type Resolution } from "./resolution.ts";
export { type CheckResult, mergeValidity, type Validity } from "./result.ts";
export { checkSteadyState, type SteadyStateCheckerOptions } from "./steady-state.ts";
export { unavailableNs } from "./unavailability.ts";
