import { type FaultSpec, Nemesis } from "../nemesis/index.ts";
import type { AwsFaults, PlannedCall } from "../providers/aws/index.ts";

/** The faults of the failover experiments that a dry run can plan without a data plane (leader faults need one). */
export const PLANNABLE_FAULTS: Readonly<Record<string, FaultSpec>> = {
  "kill-node": { kind: "kill-node" },
  "stop-node": { kind: "stop-node", lameDuck: true },
  "pause-node": { kind: "pause-node" },
  "partition-minority": { kind: "partition-minority" },
  "rolling-restart": { kind: "rolling-restart", lameDuck: true },
  "kill-service-replica": { kind: "kill-service-replica" },
  "kill-gateway-replica": { kind: "kill-gateway-replica" },
};

export interface ExperimentPlan {
  readonly experiment: string;
  readonly calls: readonly PlannedCall[];
  /** Why no plan could be made (a fault that needs the data plane, a refusal by a safety lever). */
  readonly problem?: string;
}

/**
 * What an experiment would do through AWS, found by running its fault's inject and heal on
 * handles that only plan: the same nemesis, the same seed, so the same node is picked.
 */
export async function planExperiment(faults: AwsFaults, experiment: string, seed: number): Promise<ExperimentPlan> {
  const spec = PLANNABLE_FAULTS[experiment];
  if (!spec)
    return { experiment, calls: [], problem: `no dry-run plan for ${experiment}: it needs the data plane (leaders) to pick its target` };
  const first = faults.plan.length;
  const nemesis = new Nemesis(faults, { seed });
  try {
    const why = nemesis.unsupported(spec.kind);
    if (why) return { experiment, calls: [], problem: why };
    await nemesis.heal(await nemesis.inject(spec));
    return { experiment, calls: faults.plan.slice(first) };
  } catch (error) {
    await nemesis.healAll().catch(() => {});
    return { experiment, calls: faults.plan.slice(first), problem: error instanceof Error ? error.message : String(error) };
  }
}
