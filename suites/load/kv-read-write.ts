import { Kvm } from "@nats-io/kv";
import type { LoadContext, LoadOptions, SetupContext } from "../../harness/load/index.ts";

/** KV under a read-mostly mix: 80 % gets of seeded keys, 20 % puts, against a replicated bucket. */
export const options: LoadOptions = {
  scenarios: {
    kv: { executor: "constant-arrival-rate", rate: 300, timeUnit: "1s", duration: "30s", preAllocatedVUs: 30, maxVUs: 300 },
  },
  thresholds: {
    "kv_op_duration{op:get}": ["p(99)<50"],
    "kv_op_duration{op:put}": ["p(99)<250"],
    kv_op_failed: ["rate<0.01"],
    "checks{check:value found}": ["rate>0.99"],
  },
};

const BUCKET = "gauntlet_load_kv";
const KEYS = 200;

export async function setup(ctx: SetupContext): Promise<{ keys: number }> {
  const replicas = Math.min(3, ctx.target.nats?.monitoring?.length ?? 1);
  const kvm = new Kvm(await ctx.nats());
  const kv = await kvm.create(BUCKET, { replicas, history: 1 });
  await Promise.all(Array.from({ length: KEYS }, (_, i) => kv.put(`k${i}`, `seed-${i}`)));
  return { keys: KEYS };
}

export async function teardown(ctx: SetupContext): Promise<void> {
  const kv = await new Kvm(await ctx.nats()).open(BUCKET);
  await kv.destroy().catch(() => false);
}

export default async function (ctx: LoadContext<{ keys: number }>): Promise<void> {
  const key = `k${Math.floor(Math.random() * ctx.data.keys)}`;
  const kv = ctx.kv(BUCKET);
  if (Math.random() < 0.8) {
    const entry = await kv.get(key);
    ctx.check(entry, { "value found": (e) => e.ok && e.value !== undefined });
  } else {
    const put = await kv.put(key, `v-${ctx.vu.id}-${ctx.vu.iteration}`);
    ctx.check(put, { "put acknowledged": (p) => p.ok && (p.revision ?? 0) > 0 });
  }
}
