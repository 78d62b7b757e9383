import type { LoadContext, LoadOptions, SetupContext, SummarizeView } from "../../harness/load/index.ts";
import { findSaturation, type SaturationReport, steppedStages } from "../../harness/load/index.ts";

/**
 * Stepped ramp of NATS requests (to `env.SUBJECT`, or an echo responder started in setup) that
 * finds the saturation point: the highest rate whose p99 stays under the SLO with < 1 % errors.
 * `--rate` scales the top step, `--duration` the whole ramp, `--env SLO_P99_MS=…` sets the SLO.
 */
const SLO_P99_MS = 50;

export const options: LoadOptions = {
  scenarios: {
    ramp: {
      executor: "ramping-arrival-rate",
      startRate: 0,
      stages: steppedStages({ startRate: 250, step: 250, steps: 10, hold: "5s" }),
      preAllocatedVUs: 50,
      maxVUs: 1000,
      gracefulStop: "5s",
    },
  },
};

const ECHO_SUBJECT = "gauntlet.load.saturation";

export async function setup(ctx: SetupContext): Promise<{ subject: string }> {
  if (ctx.env.SUBJECT) return { subject: ctx.env.SUBJECT };
  const nc = await ctx.nats();
  nc.subscribe(ECHO_SUBJECT, { queue: "echo", callback: (_error, msg) => void msg.respond(msg.data) });
  await nc.flush();
  return { subject: ECHO_SUBJECT };
}

export default async function (ctx: LoadContext<{ subject: string }>): Promise<void> {
  const reply = await ctx.nats.request(ctx.data.subject, "ping", { timeoutMs: 2000 });
  ctx.check(reply, { "reply received": (r) => r.ok });
}

export function summarize(view: SummarizeView): SaturationReport {
  return findSaturation(view, "ramp", { sloP99Ms: Number(view.env.SLO_P99_MS ?? SLO_P99_MS), maxErrorRate: 0.01 });
}
