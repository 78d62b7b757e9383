import { setTimeout as sleep } from "node:timers/promises";
import { NemesisError, type NemesisTarget, type ReplicaTarget } from "../target.ts";
import type { FaultDefinition } from "./fault.ts";

export interface RedeployServices {
  readonly kind: "redeploy-services";
  /** Services to redeploy (by name); every service when omitted. */
  readonly services?: readonly string[];
  /** Time given to each restarted replica to register again before the next one goes. Default 1 s. */
  readonly settleMs?: number;
}

const serviceOf = (replica: ReplicaTarget) => replica.service ?? replica.name;

/**
 * A rolling redeploy of the fleet: every replica of the chosen services, one at a time, is
 * stopped (gracefully where the provider can, else killed) and started again, as a deployment
 * replaces tasks. One fault window for the whole roll; heal starts whatever is still down.
 */
export const redeployServices: FaultDefinition<RedeployServices> = {
  kind: "redeploy-services",
  holdsItself: true,
  unsupported: (target: NemesisTarget) =>
    target.services?.some((replica) => replica.start) ? undefined : "the target cannot restart service replicas",
  async inject(spec, context) {
    const replicas = (context.target.services ?? []).filter((replica) => !spec.services || spec.services.includes(serviceOf(replica)));
    if (replicas.length === 0) throw NemesisError.missing("redeploy-services", `replicas of ${spec.services?.join(", ") ?? "any service"}`);
    const hit = { services: [...new Set(replicas.map(serviceOf))], replicas: replicas.length };
    context.begin(hit);
    const down = new Set<ReplicaTarget>();
    const startDown = async () => {
      for (const replica of down) await replica.start?.();
      down.clear();
    };
    try {
      for (const [index, replica] of replicas.entries()) {
        context.signal?.throwIfAborted();
        context.progress(`redeploy ${index + 1}/${replicas.length}: ${replica.name}`);
        down.add(replica);
        await (replica.stop ? replica.stop() : replica.kill());
        await replica.start?.();
        down.delete(replica);
        await sleep(spec.settleMs ?? 1_000, undefined, context.signal ? { signal: context.signal } : {});
      }
    } catch (error) {
      await startDown();
      throw error;
    }
    return { target: hit, heal: startDown };
  },
};
