import { jetstreamManager } from "@nats-io/jetstream";
import type { Probe } from "../schema.ts";
import { deviated, held, type ProbeContext, type ProbeResult } from "./probe-context.ts";

/** A durable consumer's pending, ack-pending and redelivered counts within bounds. */
export async function consumerProbe(spec: NonNullable<Probe["consumer"]>, context: ProbeContext): Promise<ProbeResult> {
  const jsm = await jetstreamManager(await context.nats(), { timeout: 3_000 });
  const info = await jsm.consumers.info(spec.stream, spec.name);
  const limits: [string, number, number | undefined][] = [
    ["pending", info.num_pending, spec.max_pending],
    ["ack pending", info.num_ack_pending, spec.max_ack_pending],
    ["redelivered", info.num_redelivered, spec.max_redelivered],
  ];
  const over = limits.filter(([, value, max]) => max !== undefined && value > max);
  const summary = limits.map(([label, value]) => `${label} ${value}`).join(", ");
  if (over.length === 0) return held(info.num_pending, summary);
  return deviated(info.num_pending, `${over.map(([label, value, max]) => `${label} ${value} > ${max}`).join("; ")} (${summary})`);
}
