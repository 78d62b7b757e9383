export {
  FAULT_KINDS,
  FAULTS,
  type FaultContext,
  type FaultDefinition,
  type FaultKind,
  type FaultSpec,
  type InjectedFault,
  type IsolateMetaLeader,
  type IsolateStreamLeader,
  type KillGatewayReplica,
  type KillNode,
  type KillServiceReplica,
  type KillStreamLeader,
  type PartitionMinority,
  type PauseNode,
  type RollingRestart,
  type StopNode,
} from "./faults/index.ts";
export { type HealthWait, waitForHealthy } from "./health.ts";
export { findMetaLeader, findStreamLeader } from "./leaders.ts";
export { type ActiveFault, Nemesis, type NemesisOptions } from "./nemesis.ts";
export { mulberry32, type Random } from "./prng.ts";
export { type RunScheduleOptions, runSchedule, type ScheduleReport, type StepOutcome } from "./run-schedule.ts";
export { type FaultStep, generateSchedule, newSeed, type Phase, type Schedule, type ScheduleOptions } from "./schedule.ts";
export { NemesisError, type NemesisTarget, type ReplicaTarget } from "./target.ts";
