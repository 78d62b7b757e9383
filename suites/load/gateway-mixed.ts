import type { LoadContext, LoadOptions, SetupContext } from "../../harness/load/index.ts";
import { type GatewayCall, gatewayCalls, gatewayUrls, pickWeighted } from "./gateway-targets.ts";

/**
 * Mixed traffic across the whole fleet through the gateway: `POST /v1/{service}/{endpoint}`
 * with the manifest's sample bodies, spread by weight, round-robin over the gateway URLs.
 * `env.WEIGHTS` (JSON service → weight) overrides the replica-based weights.
 */
export const options: LoadOptions = {
  scenarios: {
    mixed: { executor: "constant-arrival-rate", rate: 200, timeUnit: "1s", duration: "60s", preAllocatedVUs: 40, maxVUs: 400 },
  },
  thresholds: {
    http_req_duration: ["p(99)<500"],
    http_req_failed: ["rate<0.01"],
    "checks{check:status 200}": ["rate>0.99"],
  },
};

interface Data {
  urls: string[];
  calls: GatewayCall[];
}

export async function setup(ctx: SetupContext): Promise<Data> {
  let weights: Record<string, number> = {};
  if (ctx.env.WEIGHTS) {
    try {
      weights = JSON.parse(ctx.env.WEIGHTS) as Record<string, number>;
    } catch (error) {
      throw new Error(`env WEIGHTS: expected JSON such as {"story-teller": 5}: ${(error as Error).message}`);
    }
  }
  return { urls: gatewayUrls(ctx.target), calls: await gatewayCalls(ctx.target, weights) };
}

export default async function (ctx: LoadContext<Data>): Promise<void> {
  const call = pickWeighted(ctx.data.calls);
  const url = ctx.data.urls[ctx.vu.iteration % ctx.data.urls.length];
  const body = call.samples[Math.floor(Math.random() * call.samples.length)];
  const endpoint = `${call.service}.${call.endpoint}`;
  const res = await ctx.http.post(`${url}/v1/${call.service}/${call.endpoint}`, body, {
    tags: { endpoint, service: call.service, name: `/v1/${call.service}/${call.endpoint}` },
  });
  ctx.check(res, { "status 200": (r) => r.status === 200 }, { endpoint });
}
