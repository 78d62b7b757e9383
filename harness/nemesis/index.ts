export {
  type DeregisterNlbTarget,
  type DiskFull,
  FAULT_KINDS,
  FAULTS,
  type FaultContext,
  type FaultDefinition,
  type FaultKind,
  type FaultSpec,
  type FullRestart,
  type InjectedFault,
  type IsolateMetaLeader,
  type IsolateStreamLeader,
  type KillGatewayReplica,
  type KillNode,
  type KillServiceReplica,
  type KillStreamLeader,
  type LossyLink,
  type PartitionMinority,
  type PauseNode,
  type RedeployServices,
  type ReplaceNode,
  type RollingRestart,
  type SlowLink,
  type StallConsumer,
  type StepDown,
  type StopNode,
} from "./faults/index.ts";
export { type HealthWait, waitForHealthy } from "./health.ts";
export { findMetaLeader, findStreamLeader } from "./leaders.ts";
export { type ActiveFault, Nemesis, type NemesisOptions } from "./nemesis.ts";
export { mulberry32, newSeed, type Random } from "./prng.ts";
export { NemesisError, type NemesisTarget, type ReplicaTarget, type StallableConsumer } from "./target.ts";
