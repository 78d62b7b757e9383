import { randomUUID } from "node:crypto";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { waitUntil } from "../../lib/retry/index.ts";
import { GatewayClient } from "../support/gateway-client.ts";
import { suiteManifest } from "../support/manifest.ts";
import { connectTarget, suiteTarget } from "../support/target.ts";

const target = await suiteTarget();
const manifest = await suiteManifest(target);
const gateway = new GatewayClient(target);
const stream = manifest.services.flatMap((service) => service.streams)[0];
let nc: NatsConnection | undefined;
afterAll(() => nc?.close());

interface Accepted {
  stream: string;
  seq: number;
  duplicate: boolean;
}

describe.runIf(stream)("JetStream events through the gateway", () => {
  const name = stream?.name as string;

  it("persists an event (202 with stream and seq) that every durable consumer processes and acks", async () => {
    const event = { type: "e2e.persisted", data: { id: randomUUID() } };
    const response = await gateway.post(`/v1/events/${name}`, JSON.stringify(event), {
      headers: { "Idempotency-Key": randomUUID() },
      endpoint: `events.${name}`,
    });
    expect(response.status, response.text).toBe(202);
    const accepted = response.json<Accepted>();
    expect(accepted).toMatchObject({ stream: name, duplicate: false });

    nc ??= await connectTarget(target);
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage(name, { seq: accepted.seq });
    expect(stored?.json<{ data: unknown }>()).toMatchObject({ data: event.data });
    const info = await jsm.streams.info(name);
    expect(info.config.num_replicas).toBe(Math.min(stream?.replicas ?? 1, target.expect.nodes));

    const durables = (await jsm.consumers.list(name).next()).filter((consumer) => consumer.config.durable_name);
    expect(durables.length, `durable consumers on ${name}`).toBeGreaterThan(0);
    await waitUntil(
      async () => {
        const floors = await Promise.all(durables.map(async (c) => (await jsm.consumers.info(name, c.name)).ack_floor.stream_seq));
        return floors.every((floor) => floor >= accepted.seq) ? true : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, what: `every durable consumer on ${name} to ack seq ${accepted.seq}` },
    );
  });

  it("stores a retried Idempotency-Key once and flags the retry as a duplicate", async () => {
    const key = randomUUID();
    const body = JSON.stringify({ type: "e2e.idempotent", data: { key } });
    const first = await gateway.post(`/v1/events/${name}`, body, { headers: { "Idempotency-Key": key } });
    const retry = await gateway.post(`/v1/events/${name}`, body, { headers: { "Idempotency-Key": key } });
    expect(first.status, first.text).toBe(202);
    expect(retry.status, retry.text).toBe(202);
    expect(first.json<Accepted>().duplicate).toBe(false);
    expect(retry.json<Accepted>()).toEqual({ ...first.json<Accepted>(), duplicate: true });

    nc ??= await connectTarget(target);
    const jsm = await jetstreamManager(nc);
    const after = await jsm.streams.getMessage(name, { seq: first.json<Accepted>().seq + 1 }).catch(() => undefined);
    expect(after?.json<{ data?: { key?: string } }>()?.data?.key).not.toBe(key);
  });

  it("refuses an event without a type (400) and stores nothing", async () => {
    nc ??= await connectTarget(target);
    const jsm = await jetstreamManager(nc);
    const before = (await jsm.streams.info(name)).state.last_seq;
    const response = await gateway.post(`/v1/events/${name}`, JSON.stringify({ data: {} }));
    expect(response.status, response.text).toBe(400);
    expect((await jsm.streams.info(name)).state.last_seq).toBe(before);
  });
});
