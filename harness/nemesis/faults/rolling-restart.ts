import { waitForHealthy } from "../health.ts";
import type { FaultDefinition } from "./fault.ts";
import { restartAllOnHeal } from "./node-faults.ts";

export interface RollingRestart {
  readonly kind: "rolling-restart";
  /** Lame-duck each node before stopping it. Default true. */
  readonly lameDuck?: boolean;
  /** How long to wait, per step, for the cluster to re-form with every stream current. Default 60 s. */
  readonly stepTimeoutMs?: number;
}

/**
 * Restarts every node, one at a time, as an upgrade would: after each restart it waits until the
 * cluster has re-formed and every stream replica is current before touching the next node. The
 * whole roll is one fault window; heal only makes sure every node runs.
 */
export const rollingRestart: FaultDefinition<RollingRestart> = {
  kind: "rolling-restart",
  holdsItself: true,
  async inject(spec, context) {
    const { target } = context;
    const lameDuck = spec.lameDuck ?? true;
    const hit = { nodes: target.nodes.map((node) => node.name), lameDuck };
    context.begin(hit);
    for (const [index, node] of target.nodes.entries()) {
      context.signal?.throwIfAborted();
      context.progress(`rolling restart ${index + 1}/${target.nodes.length}: ${node.name}`);
      await node.stop({ lameDuck });
      await node.start();
      await waitForHealthy(target, { timeoutMs: spec.stepTimeoutMs ?? 60_000, signal: context.signal });
    }
    return restartAllOnHeal(target.nodes, hit);
  },
};
