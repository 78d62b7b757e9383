import type { LoadContext, LoadOptions, SetupContext } from "../../harness/load/index.ts";

/**
 * NATS core request/reply at a constant arrival rate. Requests go to `env.SUBJECT` (a real
 * service endpoint such as svc.ai-integration.infer) or, without it, to an echo responder the
 * scenario starts on its setup connection.
 */
export const options: LoadOptions = {
  scenarios: {
    requests: { executor: "constant-arrival-rate", rate: 200, timeUnit: "1s", duration: "30s", preAllocatedVUs: 20, maxVUs: 200 },
  },
  thresholds: {
    nats_req_duration: ["p(99)<100"],
    nats_req_failed: ["rate<0.01"],
    dropped_iterations: ["count==0"],
  },
};

const ECHO_SUBJECT = "gauntlet.load.echo";

export async function setup(ctx: SetupContext): Promise<{ subject: string; payload: string }> {
  const payload = ctx.env.PAYLOAD ?? JSON.stringify({ prompt: "Tell me about the sea" });
  if (ctx.env.SUBJECT) return { subject: ctx.env.SUBJECT, payload };
  const nc = await ctx.nats();
  nc.subscribe(ECHO_SUBJECT, { queue: "echo", callback: (_error, msg) => void msg.respond(msg.data) });
  await nc.flush();
  return { subject: ECHO_SUBJECT, payload };
}

export default async function (ctx: LoadContext<{ subject: string; payload: string }>): Promise<void> {
  const reply = await ctx.nats.request(ctx.data.subject, ctx.data.payload, { timeoutMs: 2000 });
  ctx.check(reply, { "reply received": (r) => r.ok });
}
