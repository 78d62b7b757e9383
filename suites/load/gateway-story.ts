import type { LoadContext, LoadOptions, SetupContext } from "../../harness/load/index.ts";
import { gatewayCalls, gatewayUrls } from "./gateway-targets.ts";

/** The story flow end to end: gateway → story-teller → model-management + ai-integration, trace id returned. */
export const options: LoadOptions = {
  scenarios: {
    story: { executor: "constant-arrival-rate", rate: 20, timeUnit: "1s", duration: "60s", preAllocatedVUs: 10, maxVUs: 200 },
  },
  thresholds: {
    "http_req_duration{endpoint:story}": ["p(95)<500", { threshold: "p(99)<2000", abortOnFail: true, delayAbortEval: "10s" }],
    "http_req_failed{endpoint:story}": ["rate<0.01"],
    checks: ["rate>0.99"],
  },
};

interface Data {
  urls: string[];
  samples: unknown[];
}

export async function setup(ctx: SetupContext): Promise<Data> {
  const story = (await gatewayCalls(ctx.target)).find((c) => c.service === "story-teller" && c.endpoint === "compose");
  if (!story) throw new Error("the manifest has no story-teller.compose endpoint");
  return { urls: gatewayUrls(ctx.target), samples: story.samples };
}

export default async function (ctx: LoadContext<Data>): Promise<void> {
  const url = ctx.data.urls[ctx.vu.iteration % ctx.data.urls.length];
  const body = ctx.data.samples[ctx.vu.iteration % ctx.data.samples.length];
  const res = await ctx.http.post(`${url}/v1/story-teller/compose`, body, {
    tags: { endpoint: "story", name: "/v1/story-teller/compose" },
  });
  ctx.check(res, {
    "status 200": (r) => r.status === 200,
    "story with trace id": (r) => {
      const story = r.json<{ story?: unknown; traceId?: unknown }>();
      return typeof story.story === "string" && typeof story.traceId === "string" && /^[0-9a-f]{32}$/.test(story.traceId);
    },
  });
}
