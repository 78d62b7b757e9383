import type { LoadContext, LoadOptions } from "../harness/load/index.ts";

/** A fixed arrival rate against an endpoint whose injected delay is known (load-anchor-server.ts). */
export const options: LoadOptions = {
  scenarios: {
    accuracy: {
      executor: "constant-arrival-rate",
      rate: Number(process.env.BENCH_RATE ?? 100),
      timeUnit: "1s",
      duration: "10s",
      preAllocatedVUs: 50,
      maxVUs: 400,
    },
  },
};

export default async function (ctx: LoadContext): Promise<void> {
  await ctx.http.get(ctx.env.URL as string);
}
