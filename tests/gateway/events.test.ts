import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedGateway, startGateway } from "../../gateway/index.ts";
import type { StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { connectAs, createEventsStream, startNats, testManifest } from "./support/nats.ts";

let cluster: StartedLocalCluster;
let nc: NatsConnection;
let gateway: StartedGateway;

beforeAll(async () => {
  cluster = await startNats();
  nc = await connectAs(cluster.clientUrls[0] as string);
  await createEventsStream(nc);
  gateway = await startGateway({ manifest: await testManifest(), servers: cluster.clientUrls });
});

afterAll(async () => {
  await gateway?.stop();
  await nc?.close();
  await cluster?.stop();
});

async function publish(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { "content-type": "application/json", ...headers },
  });
  return {
    status: response.status,
    json: (await response.json()) as Record<string, unknown> & { error: { code: string; message: string } },
  };
}

async function storedMessages(): Promise<number> {
  const jsm = await jetstreamManager(nc);
  return (await jsm.streams.info("EVENTS")).state.messages;
}

describe("POST /v1/events/{stream}", () => {
  it("publishes to events.<type>, maps Idempotency-Key to Nats-Msg-Id and flags the duplicate", async () => {
    const before = await storedMessages();
    const event = { type: "order.created", orderId: 42 };
    const first = await publish("/v1/events/EVENTS", event, { "idempotency-key": "order-42-created" });
    expect(first.status).toBe(202);
    expect(first.json).toEqual({ stream: "EVENTS", seq: expect.any(Number), duplicate: false });
    const second = await publish("/v1/events/EVENTS", event, { "idempotency-key": "order-42-created" });
    expect(second.status).toBe(202);
    expect(second.json).toEqual({ stream: "EVENTS", seq: first.json.seq, duplicate: true });
    expect(await storedMessages()).toBe(before + 1);

    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage("EVENTS", { seq: first.json.seq as number });
    expect(stored?.subject).toBe("events.order.created");
    expect(stored?.json()).toEqual(event);
    expect(stored?.header.get("Nats-Msg-Id")).toBe("order-42-created");
  });

  it("stores events without a key each time, and never lets client Nats-* headers through", async () => {
    const before = await storedMessages();
    const smuggled = {
      "Nats-Msg-Id": "client-chosen",
      "Nats-Expected-Last-Sequence": "999999",
      "Nats-TTL": "1s",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    };
    const a = await publish("/v1/events/EVENTS", { type: "user.signed-up" }, smuggled);
    const b = await publish("/v1/events/EVENTS", { type: "user.signed-up" }, smuggled);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect([a.json.duplicate, b.json.duplicate]).toEqual([false, false]);
    expect(await storedMessages()).toBe(before + 2);
    const jsm = await jetstreamManager(nc);
    const stored = await jsm.streams.getMessage("EVENTS", { seq: a.json.seq as number });
    expect(stored?.header.keys().sort()).toEqual(["Nats-Expected-Stream", "content-type", "traceparent", "x-request-id"]);
    expect(stored?.header.get("traceparent")).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
  });

  it("rejects unknown streams, missing or unsafe event types and bad keys, storing nothing", async () => {
    const before = await storedMessages();
    const unknown = await publish("/v1/events/ORDERS", { type: "x" });
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.message).toBe('path segment {stream}: unknown stream "ORDERS"');
    const untyped = await publish("/v1/events/EVENTS", { kind: "x" });
    expect(untyped.status).toBe(400);
    expect(untyped.json.error.message).toMatch(/^request body field "type": required string/);
    for (const type of ["a.*", ">", "a..b", "a.>", "$JS.API.INFO", "a b", "é", "", "a.", "x".repeat(65)]) {
      const res = await publish("/v1/events/EVENTS", { type });
      expect(res.status, type).toBe(400);
      expect(res.json.error.message, type).toContain('request body field "type"');
    }
    const badKey = await publish("/v1/events/EVENTS", { type: "a" }, { "idempotency-key": "k".repeat(300) });
    expect(badKey.status).toBe(400);
    expect(badKey.json.error.message).toBe("header Idempotency-Key: must be 1 to 256 visible ASCII characters");
    const notJson = await publish("/v1/events/EVENTS", "{type:");
    expect(notJson.status).toBe(400);
    expect(await storedMessages()).toBe(before);
  });
});

describe("POST /v1/events/{stream} without the stream in place", () => {
  let bare: StartedLocalCluster;
  let admin: NatsConnection;
  let lonely: StartedGateway;

  beforeAll(async () => {
    bare = await startNats();
    admin = await connectAs(bare.clientUrls[0] as string);
    lonely = await startGateway({ manifest: await testManifest(), servers: bare.clientUrls, eventsTimeoutMs: 1_000 });
  });

  afterAll(async () => {
    await lonely?.stop();
    await admin?.close();
    await bare?.stop();
  });

  const send = async () => {
    const response = await fetch(`${lonely.url}/v1/events/EVENTS`, { method: "POST", body: JSON.stringify({ type: "order.created" }) });
    return { status: response.status, error: ((await response.json()) as { error: { code: string; message: string } }).error };
  };

  it("answers 503 when no stream captures the subject", async () => {
    const res = await send();
    expect(res.status).toBe(503);
    expect(res.error.code).toBe("no_responders");
    expect(res.error.message).toBe("no responders on events.order.created");
  });

  it("answers 502 rather than storing the event in a stream other than the manifest's", async () => {
    const jsm = await jetstreamManager(admin);
    await jsm.streams.add({ name: "IMPOSTOR", subjects: ["events.>"], storage: "memory", num_replicas: 1 });
    const res = await send();
    expect(res.status).toBe(502);
    expect(res.error.code).toBe("jetstream_error");
    expect((await jsm.streams.info("IMPOSTOR")).state.messages).toBe(0);
  });
});
