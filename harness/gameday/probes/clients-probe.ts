import { getMonitoring } from "../../probes/index.ts";
import type { Probe } from "../schema.ts";
import { deviated, held, type ProbeContext, type ProbeResult } from "./probe-context.ts";

interface Connz {
  readonly connections?: readonly { readonly name?: string }[];
}

/**
 * Client connections per node from each node's `/connz` (those whose client name contains
 * `name_contains`): how many in all, and how many on nodes out of the load balancer's target
 * groups (aws targets), where clients that came through the balancer must no longer be.
 */
export async function clientsProbe(spec: NonNullable<Probe["clients"]>, context: ProbeContext): Promise<ProbeResult> {
  const monitoring = context.target.nats.monitoring;
  if (monitoring.length === 0) return deviated(null, "the target has no monitoring URLs to read /connz from");
  const registered = spec.max_outside_nlb === undefined ? undefined : await context.nlbTargets();
  if (spec.max_outside_nlb !== undefined && !registered) return deviated(null, "the target has no load balancer to be out of");
  const counts = await Promise.all(
    monitoring.map(async (url) => {
      const connz = await getMonitoring<Connz>(url, "/connz?limit=100000", 3_000);
      const matching = (connz.connections ?? []).filter((connection) => (connection.name ?? "").includes(spec.name_contains)).length;
      return { node: context.nodeName(url), matching, outside: registered !== undefined && !registered.has(url) };
    }),
  );
  const total = counts.reduce((sum, { matching }) => sum + matching, 0);
  const outside = counts.filter((count) => count.outside).reduce((sum, { matching }) => sum + matching, 0);
  const summary = counts.map(({ node, matching, outside: out }) => `${node}${out ? " (out of the NLB)" : ""}: ${matching}`).join(", ");
  const problems = [
    ...(spec.min_total !== undefined && total < spec.min_total ? [`${total} clients < ${spec.min_total}`] : []),
    ...(spec.max_outside_nlb !== undefined && outside > spec.max_outside_nlb
      ? [`${outside} clients on nodes out of the NLB > ${spec.max_outside_nlb}`]
      : []),
  ];
  return problems.length === 0 ? held(total, `${total} clients: ${summary}`) : deviated(total, `${problems.join("; ")} (${summary})`);
}
