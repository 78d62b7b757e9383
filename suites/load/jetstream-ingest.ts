import { jetstreamManager } from "@nats-io/jetstream";
import type { LoadContext, LoadOptions, SetupContext } from "../../harness/load/index.ts";

/** JetStream ingest straight to the cluster: async publishes with a unique Nats-Msg-Id each, acks timed. */
export const options: LoadOptions = {
  scenarios: {
    ingest: { executor: "constant-arrival-rate", rate: 500, timeUnit: "1s", duration: "30s", preAllocatedVUs: 50, maxVUs: 500 },
  },
  thresholds: {
    js_pub_duration: ["p(99)<250"],
    js_pub_failed: ["rate<0.01"],
    "checks{check:stored once}": ["rate>0.99"],
  },
};

const STREAM = "GAUNTLET_LOAD_INGEST";

export async function setup(ctx: SetupContext): Promise<{ payload: string }> {
  const jsm = await jetstreamManager(await ctx.nats());
  const replicas = Math.min(3, ctx.target.nats?.monitoring?.length ?? 1);
  await jsm.streams.delete(STREAM).catch(() => false);
  await jsm.streams.add({ name: STREAM, subjects: ["gauntlet.load.ingest.>"], num_replicas: replicas, max_age: 3_600_000_000_000 });
  return { payload: "x".repeat(Number(ctx.env.PAYLOAD_BYTES ?? 256)) };
}

export async function teardown(ctx: SetupContext): Promise<void> {
  const jsm = await jetstreamManager(await ctx.nats());
  await jsm.streams.delete(STREAM).catch(() => false);
}

export default async function (ctx: LoadContext<{ payload: string }>): Promise<void> {
  const ack = await ctx.js.publish(`gauntlet.load.ingest.w${ctx.vu.worker}`, ctx.data.payload, {
    msgID: `w${ctx.vu.worker}-vu${ctx.vu.id}-${ctx.vu.iteration}`,
  });
  ctx.check(ack, { "stored once": (a) => a.ok && a.duplicate === false });
}
