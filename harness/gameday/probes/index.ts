import { type Probe, probeKind } from "../schema.ts";
import { clientsProbe } from "./clients-probe.ts";
import { consumerProbe } from "./consumer-probe.ts";
import { doctorProbe } from "./doctor-probe.ts";
import { gatewaySloProbe } from "./gateway-slo-probe.ts";
import { httpProbe } from "./http-probe.ts";
import { kvProbe } from "./kv-probe.ts";
import { deviated, type ProbeContext, type ProbeResult } from "./probe-context.ts";
import { processProbe } from "./process-probe.ts";
import { srvProbe } from "./srv-probe.ts";
import { streamProbe } from "./stream-probe.ts";

export type { ProbeContext, ProbeResult } from "./probe-context.ts";

/** Reads one probe now; a probe that cannot be read (no answer, an error) has deviated, saying why. */
export async function readProbe(probe: Probe, context: ProbeContext): Promise<ProbeResult> {
  try {
    switch (probeKind(probe)) {
      case "doctor":
        return await doctorProbe(probe.doctor ?? {}, context);
      case "stream":
        return await streamProbe(probe.stream as NonNullable<Probe["stream"]>, context);
      case "consumer":
        return await consumerProbe(probe.consumer as NonNullable<Probe["consumer"]>, context);
      case "kv":
        return await kvProbe(probe.kv as NonNullable<Probe["kv"]>, context);
      case "srv":
        return await srvProbe(probe.srv as NonNullable<Probe["srv"]>, context);
      case "clients":
        return await clientsProbe(probe.clients as NonNullable<Probe["clients"]>, context);
      case "gateway_slo":
        return await gatewaySloProbe(probe.gateway_slo as NonNullable<Probe["gateway_slo"]>, context);
      case "http":
        return await httpProbe(probe.http as NonNullable<Probe["http"]>, context);
      case "process":
        return await processProbe(probe.process as NonNullable<Probe["process"]>, context);
    }
  } catch (error) {
    return deviated(null, `cannot read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const SECOND_FIELDS = new Set(["window", "timeout"]);

/** The tolerance in words, for the plan, the timeline and the journal. */
export function toleranceOf(probe: Probe): string {
  const kind = probeKind(probe);
  const spec = Object.entries(probe[kind] as Record<string, unknown>)
    .filter(([, value]) => value !== undefined && value !== false)
    .map(
      ([key, value]) =>
        `${key} ${SECOND_FIELDS.has(key) ? `${Number(value) / 1000} s` : key === "max_p99" ? `${value} ms` : typeof value === "object" ? JSON.stringify(value) : String(value)}`,
    )
    .join(", ");
  return `${kind}: ${spec || "passes"}${probe.tolerate_for > 0 ? `; tolerated for ${probe.tolerate_for / 1000} s` : ""}`;
}
