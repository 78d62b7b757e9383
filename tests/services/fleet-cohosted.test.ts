import { type ConsumerInfo, jetstream, jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { DEFAULT_MANIFEST, loadManifest, type Manifest } from "../../services/manifest/index.ts";
import { provisionJetStream, type StartedFleet, startFleet } from "../../services/runtime/index.ts";
import {
  connectAdmin,
  discover,
  eventually,
  request,
  SERVICE_USER,
  sampleAnswer,
  schemaValidators,
  startCluster,
} from "./support/fleet-fixture.ts";

/** event-bus's durable consumer on the EVENTS stream. */
const PROCESSOR = "event-bus-processor";

let manifest: Manifest;
let cluster: StartedLocalCluster;
let nc: NatsConnection;
let fleet: StartedFleet;
/** What the fleet logged (an ack not confirmed, a consumer that failed): shown when a wait gives up. */
const fleetLog: string[] = [];

beforeAll(async () => {
  manifest = await loadManifest(DEFAULT_MANIFEST);
  cluster = await startCluster(manifest);
  nc = await connectAdmin(cluster);
  await provisionJetStream(nc, manifest);
  await provisionJetStream(nc, manifest); // idempotent
  fleet = await startFleet({
    manifest,
    servers: cluster.clientUrls,
    credentials: SERVICE_USER,
    mode: "cohosted",
    log: (line) => fleetLog.push(line),
  });
  await fleet.waitReady(30_000);
});

afterAll(async () => {
  await fleet?.stop();
  await nc?.close();
  await cluster?.stop();
});

describe("co-hosted fleet on a 3-node cluster, as a user limited to fleetPermissions", () => {
  it("every service answers $SRV.PING with 2 instances, named and versioned as in the manifest", async () => {
    const found = await discover(nc, "PING");
    for (const service of manifest.services) {
      const instances = found.get(service.name) ?? [];
      expect(
        instances.map((i) => i.version),
        service.name,
      ).toEqual([service.version, service.version]);
      expect(new Set(instances.map((i) => i.id)).size).toBe(2);
    }
    expect(found.size).toBe(22);
  });

  it("$SRV.INFO lists each endpoint on its manifest subject and queue group", async () => {
    const found = await discover(nc, "INFO", "story-teller");
    const info = found.get("story-teller")?.[0] as { endpoints: { name: string; subject: string; queue_group: string }[] };
    expect(info.endpoints).toEqual([expect.objectContaining({ name: "compose", subject: "svc.story-teller.compose", queue_group: "q" })]);
  });

  it("every sample gets a response that validates against its endpoint's JSON Schema", async () => {
    const validators = schemaValidators(manifest);
    const failures: string[] = [];
    for (const service of manifest.services) {
      for (const endpoint of service.endpoints) {
        for (const sample of endpoint.samples) {
          const answer = await sampleAnswer(nc, endpoint, sample);
          const validate = validators.get(endpoint.subject);
          if (answer.code !== undefined) failures.push(`${endpoint.subject}: ${answer.code} ${answer.error}`);
          else if (!validate?.(answer.body)) failures.push(`${endpoint.subject}: ${JSON.stringify(validate?.errors)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it("the response schemas catch a wrong answer (the check is not vacuous)", () => {
    const validate = schemaValidators(manifest).get("svc.story-teller.compose");
    expect(validate?.({ story: "x", model: "m", traceId: "not-hex", hops: [] })).toBe(false);
  });

  it("state-manager cas with a stale revision is refused with service error code 409", async () => {
    const put = await request(nc, "svc.state-manager.put", { key: "cas-test", value: { v: 1 } });
    const first = (put.body as { revision: number }).revision;
    const updated = await request(nc, "svc.state-manager.cas", { key: "cas-test", value: { v: 2 }, revision: first });
    expect(updated.code).toBeUndefined();
    const stale = await request(nc, "svc.state-manager.cas", { key: "cas-test", value: { v: 3 }, revision: first });
    expect(stale.code).toBe(409);
    expect(stale.error).toContain(`revision ${first} of cas-test is not current`);
    const read = await request(nc, "svc.state-manager.get", { key: "cas-test" });
    expect(read.body).toEqual({ key: "cas-test", value: { v: 2 }, revision: (updated.body as { revision: number }).revision });
    const createOverOther = await request(nc, "svc.state-manager.cas", { key: "cas-test", value: { v: 9 }, revision: 0 });
    expect(createOverOther.code).toBe(409);
  });

  it("$SRV.STATS data counts each endpoint's answers and errors by code", async () => {
    const stats = await discover(nc, "STATS", "state-manager");
    const cas = (stats.get("state-manager") ?? []).map(
      (s) =>
        (s.endpoints as { name: string; data: { answered: number; errors: Record<string, number> } }[]).find((e) => e.name === "cas")?.data,
    );
    expect(cas.reduce((sum, d) => sum + (d?.errors["409"] ?? 0), 0)).toBe(2);
    expect(cas.reduce((sum, d) => sum + (d?.answered ?? 0), 0)).toBeGreaterThanOrEqual(4);
  });

  it("a replica whose KV bucket was never provisioned does not start, and the error names the bucket", async () => {
    const broken = structuredClone(manifest);
    const stateManager = broken.services.find((s) => s.name === "state-manager");
    if (stateManager) stateManager.kv = [{ bucket: "never-provisioned", replicas: 3, history: 1, durable: false }];
    const starting = startFleet({
      manifest: broken,
      servers: cluster.clientUrls,
      credentials: SERVICE_USER,
      mode: "cohosted",
      only: ["state-manager"],
      log: () => {},
    });
    await expect(starting).rejects.toThrow(
      /state-manager#\d: the state-manager behaviour cannot start: .*KV bucket never-provisioned exist\?/,
    );
  });

  it("bad requests are 400 and missing things 404, in the micro service error headers", async () => {
    expect((await request(nc, "svc.state-manager.get", "{not json")).code).toBe(400);
    expect((await request(nc, "svc.ai-integration.infer", { model: "story-small" })).error).toBe("prompt: expected a non-empty string");
    expect((await request(nc, "svc.state-manager.get", { key: "never-written" })).code).toBe(404);
    const story = await request(nc, "svc.story-teller.compose", { topic: "x", model: "no-such-model" });
    expect([story.code, story.error]).toEqual([404, "model no-such-model is not registered"]);
  });

  it("ai-integration honours a request's delay_ms (the gateway's slow sample)", async () => {
    const answer = await request(nc, "svc.ai-integration.infer", { prompt: "wait", delay_ms: 300 });
    expect((answer.body as { latencyMs: number }).latencyMs).toBeGreaterThanOrEqual(299);
  });

  it("story-teller composes across three services under the caller's trace id, a new span per hop", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpan = "00f067aa0ba902b7";
    const answer = await request(
      nc,
      "svc.story-teller.compose",
      { topic: "a lighthouse" },
      { traceparent: `00-${traceId}-${callerSpan}-01` },
    );
    const body = answer.body as { traceId: string; hops: { service: string; traceId: string; spanId: string; parentId?: string }[] };
    expect(body.traceId).toBe(traceId);
    expect(answer.msg.headers?.get("traceparent")).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(body.hops.map((h) => h.service)).toEqual(["story-teller", "model-management", "ai-integration"]);
    expect(body.hops.every((h) => h.traceId === traceId)).toBe(true);
    const spans = body.hops.map((h) => h.spanId);
    expect(new Set([...spans, callerSpan]).size).toBe(4);
    const [teller, ...downstream] = body.hops;
    expect(teller?.parentId).toBe(callerSpan);
    for (const hop of downstream) expect(hop.parentId).toBe(teller?.spanId);
  });

  it("story-teller starts a new trace when the caller sends none", async () => {
    const a = (await request(nc, "svc.story-teller.compose", { topic: "dragons" })).body as {
      traceId: string;
      hops: { traceId: string }[];
    };
    const b = (await request(nc, "svc.story-teller.compose", { topic: "dragons" })).body as { traceId: string };
    expect(a.traceId).not.toBe(b.traceId);
    expect(a.hops.every((h) => h.traceId === a.traceId)).toBe(true);
  });

  it("event-bus goes on processing right after its consumer's leader changes (no stall until heartbeats are missed)", async () => {
    const jsm = await jetstreamManager(nc);
    const readConsumer = () => jsm.consumers.info("EVENTS", PROCESSOR).then(consumerState, () => undefined);
    const before = (await readConsumer())?.leader;
    await nc.request(`$JS.API.CONSUMER.LEADER.STEPDOWN.EVENTS.${PROCESSOR}`, "", { timeout: 5_000 });
    await eventually(readConsumer, (state) => state?.leader !== undefined && state.leader !== before, "a new consumer leader");

    const published = await request(nc, "svc.event-bus.publish", { type: "test.after-stepdown", data: {} });
    const seq = (published.body as { seq: number }).seq;
    await eventually(
      async () => ({ consumer: await readConsumer(), log: fleetLog.filter((line) => line.includes("event-bus")) }),
      ({ consumer }) => consumer !== undefined && consumer.ackFloor >= seq && consumer.ackPending === 0,
      `event ${seq} to be acked under the new consumer leader`,
    );
  });

  it("event-bus processes events with a durable consumer, acks after processing, and resumes after a restart", async () => {
    type Stats = { replica: number; processed: number; consumer: { ackFloor: number; pending: number; ackPending: number } };
    const jsm = await jetstreamManager(nc);
    const published = await request(nc, "svc.event-bus.publish", { type: "test.first", data: { n: 1 } });
    const seq = (published.body as { seq: number }).seq;
    await eventually(
      async () => ({
        stats: (await request(nc, "svc.event-bus.stats", {})).body as Stats,
        consumer: consumerState(await jsm.consumers.info("EVENTS", PROCESSOR)),
        log: fleetLog.filter((line) => line.includes("event-bus")),
      }),
      ({ stats }) => stats.consumer.ackFloor >= seq && stats.consumer.ackPending === 0,
      `event ${seq} to be acked`,
    );

    // While every event-bus replica is down, events are stored and wait in the durable consumer.
    await Promise.all(fleet.replicas.filter((r) => r.service === "event-bus").map((r) => r.stop()));
    const js = jetstream(nc);
    let last = 0;
    for (let i = 0; i < 3; i++) last = (await js.publish(`events.test.while-down`, JSON.stringify({ i }))).seq;
    const waiting = await jsm.consumers.info("EVENTS", PROCESSOR);
    expect(waiting.num_pending).toBe(3);

    await using restarted = await startFleet({
      manifest,
      servers: cluster.clientUrls,
      credentials: SERVICE_USER,
      mode: "cohosted",
      only: ["event-bus"],
      log: () => {},
    });
    await restarted.waitReady(30_000);
    const after = await eventually(
      async () => consumerState(await jsm.consumers.info("EVENTS", PROCESSOR)),
      (state) => state.ackFloor >= last && state.ackPending === 0 && state.pending === 0,
      "the events published while down to be acked",
    );
    expect(after.redelivered).toBe(0);
    const stats = await discover(nc, "STATS", "event-bus");
    const processed = (stats.get("event-bus") ?? []).map(
      (s) => (s.endpoints as { data?: { processed: number } }[])[0]?.data?.processed ?? 0,
    );
    expect(processed.reduce((a, b) => a + b, 0)).toBe(3);
  });
});

/** A durable consumer's progress as the server reports it. */
function consumerState(info: ConsumerInfo) {
  return {
    leader: info.cluster?.leader,
    delivered: info.delivered.stream_seq,
    ackFloor: info.ack_floor.stream_seq,
    ackPending: info.num_ack_pending,
    pending: info.num_pending,
    redelivered: info.num_redelivered,
    waiting: info.num_waiting,
  };
}
