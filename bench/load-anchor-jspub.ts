import type { LoadContext, LoadOptions } from "../harness/load/index.ts";

/** JetStream publish with BENCH_VUS acks outstanding (as `nats bench js pub async --batch`), 128-byte payload. */
export const options: LoadOptions = {
  scenarios: { jspub: { executor: "constant-vus", vus: Number(process.env.BENCH_VUS ?? 500), duration: "5s", gracefulStop: "5s" } },
};

const payload = new Uint8Array(128);

export default async function (ctx: LoadContext): Promise<void> {
  await ctx.js.publish("gauntlet.bench.js", payload);
}
