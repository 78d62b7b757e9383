import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { Probe } from "../schema.ts";
import { deviated, held, type ProbeContext, type ProbeResult } from "./probe-context.ts";

/** A key readable (and equal to `equals` when given). */
export async function kvProbe(spec: NonNullable<Probe["kv"]>, context: ProbeContext): Promise<ProbeResult> {
  const kv = await new Kvm(jetstream(await context.nats(), { timeout: 3_000 })).open(spec.bucket);
  const entry = await kv.get(spec.key);
  if (entry?.operation !== "PUT") return deviated(null, `${spec.bucket}/${spec.key}: no value`);
  const value = entry.string();
  if (spec.equals !== undefined && value !== spec.equals)
    return deviated(value, `${spec.bucket}/${spec.key} = ${JSON.stringify(value)}, expected ${JSON.stringify(spec.equals)}`);
  return held(value, `${spec.bucket}/${spec.key} = ${JSON.stringify(value)} (revision ${entry.revision})`);
}
