import type { ThrownError } from "./workload-error.ts";
import type { WorkloadPlan } from "./workload-set.ts";

/** The first message to the workload process: what to run. */
export interface WorkloadProcessInput {
  readonly type: "start";
  readonly plan: WorkloadPlan;
  /** The main recorder's time 0 (`process.hrtime.bigint()`, one monotonic clock for every process of the machine). */
  readonly startNs: bigint;
  /** How often recorded entries are handed over. */
  readonly flushMs: number;
}

export type ToWorkloadProcess =
  | WorkloadProcessInput
  | { readonly type: "stop-workloads" }
  | { readonly type: "finish" }
  /** The stall-consumer fault turned the processor's switch in the harness. */
  | { readonly type: "processor-stalled"; readonly stalled: boolean };

export type FromWorkloadProcess =
  | { readonly type: "started" }
  /** History entries as JSON text (an array), as they will be saved. */
  | { readonly type: "entries"; readonly json: string }
  | { readonly type: "finished"; readonly failures: readonly ThrownError[] }
  | { readonly type: "failed"; readonly error: ThrownError };
