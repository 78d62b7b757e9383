export {
  EXPERIMENTS,
  EXPERIMENTS_ENV,
  type ExperimentCase,
  type ExperimentContext,
  type ExperimentEntry,
  experimentNames,
  FAILOVER_SUITE,
  isDemonstration,
  preferredNetwork,
  selectExperiments,
} from "./catalog.ts";
export {
  type ConsumerLimits,
  type ConsumerMode,
  DEFAULT_STREAM,
  DEFAULT_TIMING,
  EXPERIMENT_STREAM,
  type ExperimentFault,
  type ExperimentSpec,
  type ExperimentStream,
  type ExperimentTiming,
  type GatewayCall,
  PROCESSOR_DURABLE,
  timingFromEnv,
} from "./experiment.ts";
export { collectReplicaEvidence, snapshotNodes, unreadSequences } from "./replica-evidence.ts";
export { type ExperimentResult, type RunExperimentOptions, runExperiment } from "./run-experiment.ts";
export {
  AWS_ABORT_FILE,
  AWS_JOURNAL_FILE,
  clientOptions,
  type ExperimentTarget,
  experimentTarget,
  localExperimentTarget,
} from "./target.ts";
export { unavailabilityText } from "./unavailability-text.ts";
export { WorkloadError } from "./workload-error.ts";
export { WORKLOAD_PLACEMENT_ENV, type WorkloadPlacement } from "./workload-runner.ts";
