export { BlastRadiusError } from "./blast-radius-error.ts";
export { BlastRadiusGuard, type BlastRadiusOptions, guardHandles, minorityOf, replicaServiceOf } from "./blast-radius-guard.ts";
export { assumedPlacement, nodeFaultProblem, quorumOf, replicaFaultProblem, type StreamPlacement } from "./quorum.ts";
export { readStreamPlacement, serverNamesOf } from "./stream-placement.ts";
