import type { LoadContext, LoadOptions, SetupContext } from "../../harness/load/index.ts";
import { gatewayUrls } from "./gateway-targets.ts";

/**
 * JetStream ingest through the gateway: `POST /v1/events/EVENTS` with an Idempotency-Key per event;
 * every sequence the gateway acknowledges is reported (`ctx.acknowledged`) for a game day to read back.
 */
export const options: LoadOptions = {
  scenarios: {
    events: { executor: "constant-arrival-rate", rate: 200, timeUnit: "1s", duration: "60s", preAllocatedVUs: 40, maxVUs: 400 },
  },
  thresholds: {
    "http_req_duration{endpoint:events}": ["p(99)<500"],
    http_req_failed: ["rate<0.01"],
    "checks{check:accepted once}": ["rate>0.99"],
  },
};

export async function setup(ctx: SetupContext): Promise<{ urls: string[]; run: string }> {
  return { urls: gatewayUrls(ctx.target), run: Date.now().toString(36) };
}

export default async function (ctx: LoadContext<{ urls: string[]; run: string }>): Promise<void> {
  const url = ctx.data.urls[ctx.vu.iteration % ctx.data.urls.length];
  const key = `${ctx.data.run}-vu${ctx.vu.id}-${ctx.vu.iteration}`;
  const res = await ctx.http.post(
    `${url}/v1/events/EVENTS`,
    { type: "load.event", id: key, data: { vu: ctx.vu.id, iteration: ctx.vu.iteration } },
    { headers: { "idempotency-key": key }, tags: { endpoint: "events", name: "/v1/events/EVENTS" } },
  );
  ctx.check(res, { "accepted once": (r) => r.status === 202 && r.json<{ duplicate?: boolean }>().duplicate === false });
  if (res.status === 202) {
    const ack = res.json<{ stream?: unknown; seq?: unknown }>();
    if (typeof ack.stream === "string" && typeof ack.seq === "number") ctx.acknowledged(ack.stream, ack.seq);
  }
}
