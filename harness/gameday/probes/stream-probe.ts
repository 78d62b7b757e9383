import { jetstreamManager } from "@nats-io/jetstream";
import type { Probe } from "../schema.ts";
import { deviated, held, type ProbeContext, type ProbeResult } from "./probe-context.ts";

/** Acknowledged sequences no longer readable from the stream (read back 50 at a time). */
async function missingAcked(
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  stream: string,
  acked: readonly number[],
): Promise<number[]> {
  const missing: number[] = [];
  for (let start = 0; start < acked.length; start += 50) {
    const batch = acked.slice(start, start + 50);
    const found = await Promise.all(
      batch.map((seq) =>
        jsm.streams.getMessage(stream, { seq }).then(
          () => true,
          () => false,
        ),
      ),
    );
    missing.push(...batch.filter((_, index) => !found[index]));
  }
  return missing;
}

/** A stream's leader, replicas, lag and messages from `$JS.API.STREAM.INFO`; optionally every acknowledged event still stored. */
export async function streamProbe(spec: NonNullable<Probe["stream"]>, context: ProbeContext): Promise<ProbeResult> {
  const jsm = await jetstreamManager(await context.nats(), { timeout: 3_000 });
  const info = await jsm.streams.info(spec.name);
  const replicas = info.cluster?.replicas ?? [];
  const problems: string[] = [];
  if (spec.leader && info.config.num_replicas > 1 && !info.cluster?.leader) problems.push("no leader");
  const behind = replicas.filter((replica) => !replica.current || replica.offline);
  if (spec.replicas_current && behind.length > 0) problems.push(`replicas not current: ${behind.map((r) => r.name).join(", ")}`);
  const lag = Math.max(0, ...replicas.map((replica) => replica.lag ?? 0));
  if (spec.max_lag !== undefined && lag > spec.max_lag) problems.push(`lag ${lag} > ${spec.max_lag}`);
  const messages = info.state.messages;
  if (spec.min_messages !== undefined && messages < spec.min_messages) problems.push(`${messages} messages < ${spec.min_messages}`);
  if (spec.acked_from !== undefined) {
    const acked = context.loads.get(spec.acked_from)?.acknowledged(spec.name) ?? [];
    const missing = await missingAcked(jsm, spec.name, acked);
    if (missing.length > 0)
      problems.push(`${missing.length} of ${acked.length} acknowledged events missing (seq ${missing.slice(0, 5).join(", ")})`);
    else if (problems.length === 0)
      return held(acked.length, `all ${acked.length} acknowledged events stored; leader ${info.cluster?.leader ?? "-"}`);
  }
  const summary = `leader ${info.cluster?.leader ?? "none"}, ${messages} messages, lag ${lag}`;
  return problems.length === 0 ? held(messages, summary) : deviated(messages, `${problems.join("; ")} (${summary})`);
}
