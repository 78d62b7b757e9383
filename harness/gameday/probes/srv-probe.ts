import { countServiceInstances } from "../../probes/index.ts";
import type { Probe } from "../schema.ts";
import { deviated, held, type ProbeContext, type ProbeResult } from "./probe-context.ts";

/** Instances answering `$SRV.PING` for a service (or every service with "*"): the fewest seen. */
export async function srvProbe(spec: NonNullable<Probe["srv"]>, context: ProbeContext): Promise<ProbeResult> {
  const services = spec.service === "*" ? Object.keys(context.services) : [spec.service];
  if (services.length === 0) return deviated(null, "the target names no services (no control API to list them)");
  const nc = await context.nats();
  const counts = await Promise.all(services.map(async (service) => ({ service, seen: await countServiceInstances(nc, service, 1_000) })));
  const short = counts.filter(({ seen }) => seen < spec.min_instances);
  const fewest = Math.min(...counts.map(({ seen }) => seen));
  if (short.length === 0)
    return held(
      fewest,
      services.length === 1 ? `${fewest} instance(s)` : `every one of ${services.length} services has ≥ ${spec.min_instances}`,
    );
  return deviated(fewest, short.map(({ service, seen }) => `${service}: ${seen} < ${spec.min_instances}`).join("; "));
}
