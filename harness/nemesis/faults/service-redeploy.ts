import { setTimeout as sleep } from "node:timers/promises";
import { waitUntil } from "../../../lib/retry/index.ts";
import { NemesisError, type NemesisTarget, type ReplicaTarget } from "../target.ts";
import type { FaultDefinition } from "./fault.ts";

export interface RedeployServices {
  readonly kind: "redeploy-services";
  /** Services to redeploy (by name); every service when omitted. */
  readonly services?: readonly string[];
  /** Time given to each restarted replica before the next one goes, where the target cannot count instances. Default 1 s. */
  readonly settleMs?: number;
  /** How long, per replica, every instance of its service may take to answer discovery again. Default 60 s. */
  readonly stepTimeoutMs?: number;
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
    const totals = new Map<string, number>();
    for (const replica of context.target.services ?? []) totals.set(serviceOf(replica), (totals.get(serviceOf(replica)) ?? 0) + 1);
    const instancesOf = context.target.instancesOf;
    // As a deployment's health gate: the next replica goes only once every instance of its service answers again.
    const backInService = async (service: string) => {
      if (!instancesOf) return sleep(spec.settleMs ?? 1_000, undefined, context.signal ? { signal: context.signal } : {});
      const wanted = totals.get(service) ?? 1;
      await waitUntil(async () => ((await instancesOf(service)) >= wanted ? true : undefined), {
        timeoutMs: spec.stepTimeoutMs ?? 60_000,
        intervalMs: 250,
        what: `all ${wanted} instances of ${service} answering $SRV.PING`,
        ...(context.signal ? { signal: context.signal } : {}),
      });
    };
    const startDown = async () => {
      for (const replica of down) await replica.start?.();
      down.clear();
    };
    try {
      for (const [index, replica] of replicas.entries()) {
        context.signal?.throwIfAborted();
        context.progress(`redeploy ${index + 1}/${replicas.length}: ${replica.name}`);
        await backInService(serviceOf(replica));
        down.add(replica);
        await (replica.stop ? replica.stop() : replica.kill());
        await replica.start?.();
        down.delete(replica);
      }
      for (const service of hit.services) await backInService(service);
    } catch (error) {
      await startDown();
      throw error;
    }
    return { target: hit, heal: startDown };
  },
};
