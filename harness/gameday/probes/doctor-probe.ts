import { assessCluster, snapshotCluster } from "../../probes/index.ts";
import type { Probe } from "../schema.ts";
import { deviated, held, type ProbeContext, type ProbeResult } from "./probe-context.ts";

/** The doctor's cluster checks (or one of them by name): no check failing. */
export async function doctorProbe(spec: NonNullable<Probe["doctor"]>, context: ProbeContext): Promise<ProbeResult> {
  const snapshots = await snapshotCluster(context.target.nats.monitoring, { streams: true, timeoutMs: 1_500 });
  const checks = assessCluster(snapshots, context.cluster).checks.filter(
    (check) => spec.check === undefined || check.name.toLowerCase().includes(spec.check.toLowerCase()),
  );
  if (checks.length === 0) return deviated(null, `no doctor check named "${spec.check}"`);
  const failing = checks.filter((check) => check.status === "fail");
  if (failing.length === 0) return held(0, `${checks.length} check(s) pass`);
  return deviated(failing.length, failing.map((check) => `${check.name}: ${check.detail}`).join("; "));
}
