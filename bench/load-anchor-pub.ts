import type { LoadContext, LoadOptions } from "../harness/load/index.ts";

/** NATS core publish as fast as the engine goes: one publish per iteration, BENCH_VUS VUs, 128-byte payload. */
export const options: LoadOptions = {
  scenarios: { pub: { executor: "constant-vus", vus: Number(process.env.BENCH_VUS ?? 2), duration: "5s", gracefulStop: "2s" } },
};

const payload = new Uint8Array(128);

export default async function (ctx: LoadContext): Promise<void> {
  await ctx.nats.publish("gauntlet.bench.pub", payload);
}
