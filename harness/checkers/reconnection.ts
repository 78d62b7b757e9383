import { z } from "zod";
import { faultWindows, type History, PROBE, PROBE_PROCESS } from "../history/index.ts";
import { CheckerError } from "./errors.ts";
import { type CheckResult, nsToMs, type Validity } from "./result.ts";

export interface ReconnectionCheckerOptions {
  /** Instances each service must answer `$SRV.PING` with again (e.g. `{ "event-bus": 2 }`). */
  readonly expectedInstances: Readonly<Record<string, number>>;
  /** Gateway `/readyz` URLs that must be ready again (default: every URL probed). */
  readonly gateways?: readonly string[];
  /** Time after each heal by which everything must be back. */
  readonly boundNs: number;
}

const SrvPingSchema = z.object({ service: z.string().min(1), instances: z.number().int().nonnegative() });
const ReadyzSchema = z.object({ url: z.string().min(1), ready: z.boolean() });

export interface TargetRecovery {
  readonly kind: "service" | "gateway";
  readonly name: string;
  /** Time from the heal to the first probe that saw it back; null = never seen back. */
  readonly backAfterNs: number | null;
}

export interface HealRecovery {
  readonly fault: string;
  readonly target: unknown;
  readonly healedAt: number;
  readonly targets: readonly TargetRecovery[];
  readonly slowestNs: number | null;
}

export interface ReconnectionDetails {
  readonly heals: readonly HealRecovery[];
}

interface Observation {
  readonly time: number;
  readonly kind: "service" | "gateway";
  readonly name: string;
  readonly back: boolean;
}

function observations(history: History, expected: Readonly<Record<string, number>>): Observation[] {
  const seen: Observation[] = [];
  for (const entry of history) {
    if (entry.process !== PROBE_PROCESS) continue;
    if (entry.f === PROBE.srvPing) {
      const parsed = SrvPingSchema.safeParse(entry.value);
      if (!parsed.success) throw CheckerError.badValue("reconnection", entry.index, entry.f, "value must be {service, instances}");
      const want = expected[parsed.data.service];
      if (want !== undefined)
        seen.push({ time: entry.time, kind: "service", name: parsed.data.service, back: parsed.data.instances >= want });
    } else if (entry.f === PROBE.readyz) {
      const parsed = ReadyzSchema.safeParse(entry.value);
      if (!parsed.success) throw CheckerError.badValue("reconnection", entry.index, entry.f, "value must be {url, ready}");
      seen.push({ time: entry.time, kind: "gateway", name: parsed.data.url, back: parsed.data.ready });
    }
  }
  return seen;
}

/**
 * After each heal, every service answers discovery with at least its expected instances and
 * every gateway's /readyz says ready, within `boundNs`. Probe entries (process "probe") carry
 * `srv-ping` {service, instances} and `readyz` {url, ready}.
 */
export function checkReconnection(history: History, options: ReconnectionCheckerOptions): CheckResult<ReconnectionDetails> {
  const seen = observations(history, options.expectedInstances);
  const gateways = options.gateways ?? [...new Set(seen.filter((o) => o.kind === "gateway").map((o) => o.name))];
  const targets = [
    ...Object.keys(options.expectedInstances).map((name) => ({ kind: "service" as const, name })),
    ...gateways.map((name) => ({ kind: "gateway" as const, name })),
  ];
  const heals = faultWindows(history).filter((window) => window.healed);
  const results: HealRecovery[] = heals.map((heal) => {
    const recoveries = targets.map(({ kind, name }): TargetRecovery => {
      const back = seen.find((o) => o.kind === kind && o.name === name && o.time >= heal.stop && o.back);
      return { kind, name, backAfterNs: back ? back.time - heal.stop : null };
    });
    const slowest = recoveries.some((r) => r.backAfterNs === null) ? null : Math.max(0, ...recoveries.map((r) => r.backAfterNs as number));
    return { fault: heal.fault, target: heal.target, healedAt: heal.stop, targets: recoveries, slowestNs: slowest };
  });

  const never = results.flatMap((heal) => heal.targets.filter((t) => t.backAfterNs === null).map((t) => `${t.name} after ${heal.fault}`));
  const late = results.flatMap((heal) =>
    heal.targets.filter((t) => t.backAfterNs !== null && t.backAfterNs > options.boundNs).map((t) => `${t.name} after ${heal.fault}`),
  );
  const slowestNs = Math.max(0, ...results.flatMap((heal) => heal.targets.map((t) => t.backAfterNs ?? 0)));
  let valid: Validity;
  let reason: string;
  if (never.length > 0 || late.length > 0) {
    valid = false;
    const parts: string[] = [];
    if (never.length > 0) parts.push(`never back: ${never.slice(0, 5).join(", ")}`);
    if (late.length > 0) parts.push(`back later than ${nsToMs(options.boundNs)}: ${late.slice(0, 5).join(", ")}`);
    reason = parts.join("; ");
  } else if (results.length === 0 || targets.length === 0) {
    valid = "unknown";
    reason = results.length === 0 ? "no healed fault in the history" : "no service or gateway to check";
  } else {
    valid = true;
    reason = `${targets.length} services/gateways back within ${nsToMs(slowestNs)} of every heal (bound ${nsToMs(options.boundNs)})`;
  }
  return {
    checker: "reconnection",
    valid,
    reason,
    counts: { heals: results.length, targets: targets.length, neverBack: never.length, late: late.length, slowestNs },
    details: { heals: results },
  };
}
