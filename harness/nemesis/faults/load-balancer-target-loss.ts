import { NemesisError, type NemesisTarget } from "../target.ts";
import type { FaultDefinition } from "./fault.ts";
import { chooseNode } from "./node-faults.ts";

export interface DeregisterNlbTarget {
  readonly kind: "deregister-nlb-target";
  /** Node name; a random running node when omitted. */
  readonly node?: string;
}

/**
 * Takes one node out of the load balancer's target groups: the node keeps running and stays in
 * the cluster, but clients that came in through the balancer to it must reconnect elsewhere.
 * Heal registers it again.
 */
export const deregisterNlbTarget: FaultDefinition<DeregisterNlbTarget> = {
  kind: "deregister-nlb-target",
  unsupported: (target: NemesisTarget) =>
    target.loadBalancer ? undefined : "the target has no load balancer in front of its nodes (aws: nlb)",
  async inject(spec, context) {
    const balancer = context.target.loadBalancer;
    if (!balancer) throw NemesisError.missing("deregister-nlb-target", "a load balancer (aws: nlb)");
    const node = chooseNode(context, spec.node);
    const register = await balancer.deregister(node.name);
    return { target: { node: node.name }, heal: register };
  },
};
