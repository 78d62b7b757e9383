export { type AvailabilityCheckerOptions, type AvailabilityDetails, checkAvailability } from "./availability.ts";
export { type CheckHistoryOptions, checkHistory, type HistoryVerdict } from "./check-history.ts";
export { CheckerError } from "./errors.ts";
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
export { checkQueue, type MessageRef, type QueueCheckerOptions, type QueueDetails } from "./queue.ts";
export { checkReconnection, type ReconnectionCheckerOptions, type ReconnectionDetails } from "./reconnection.ts";
export { type CheckResult, mergeValidity, type Validity } from "./result.ts";
