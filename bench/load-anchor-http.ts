import type { LoadContext, LoadOptions } from "../harness/load/index.ts";

/** Closed-model HTTP GET loop for the generator-capacity anchor: BENCH_VUS connections for the run's --duration. */
export const options: LoadOptions = {
  scenarios: { http: { executor: "constant-vus", vus: Number(process.env.BENCH_VUS ?? 50), duration: "5s", gracefulStop: "2s" } },
};

export default async function (ctx: LoadContext): Promise<void> {
  await ctx.http.get(ctx.env.URL as string);
}
