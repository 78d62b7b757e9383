import { setTimeout as sleep } from "node:timers/promises";
import { waitForHealthy } from "../health.ts";
import type { FaultDefinition } from "./fault.ts";
import { restartAllOnHeal } from "./node-faults.ts";

export interface FullRestart {
  readonly kind: "full-restart";
  /** How long every node stays down. Default 2 s. */
  readonly downMs?: number;
  /** How long to wait for the cluster to re-form with every stream current before the window closes. Default 25 s. */
  readonly recoverTimeoutMs?: number;
}

/**
 * SIGKILLs every node at once (a power loss), starts them all again on the same ports and data,
 * and holds the fault window open until the cluster says it is back: formed, one meta leader,
 * every stream current (or the wait times out: the runner's health probe then records that).
 */
export const fullRestart: FaultDefinition<FullRestart> = {
  kind: "full-restart",
  holdsItself: true,
  async inject(spec, context) {
    const { target } = context;
    const hit = { nodes: target.nodes.map((node) => node.name) };
    context.begin(hit);
    context.progress(`killing all ${target.nodes.length} nodes`);
    await Promise.all(target.nodes.map((node) => node.kill()));
    await sleep(spec.downMs ?? 2_000, undefined, context.signal ? { signal: context.signal } : {});
    await Promise.all(target.nodes.map((node) => node.start()));
    await waitForHealthy(target, { timeoutMs: spec.recoverTimeoutMs ?? 25_000, signal: context.signal }).catch((error: unknown) => {
      if (context.signal?.aborted) throw error;
      context.progress(`full restart: ${(error as Error).message}`);
    });
    return restartAllOnHeal(target.nodes, hit);
  },
};
