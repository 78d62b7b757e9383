import { jetstreamManager } from "@nats-io/jetstream";
import { errors, type NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GATEWAY_INBOX_PREFIX, type GatewayManifest, gatewayPermissions, type StartedGateway, startGateway } from "../../gateway/index.ts";
import type { StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { connectAs, createEventsStream, startNats, testManifest } from "./support/nats.ts";
import { type Echo, startResponders } from "./support/responders.ts";

const GATEWAY_USER = { user: "gateway", pass: "gateway-secret" };
const SERVICES_USER = { user: "services", pass: "services-secret" };

let manifest: GatewayManifest;
let cluster: StartedLocalCluster;
let services: NatsConnection;
let received: Echo[];
let gateway: StartedGateway;

beforeAll(async () => {
  manifest = await testManifest();
  // The gateway's user is granted what a manifest *without* the audit service needs, then
  // serves the full manifest: /v1/audit/record publishes where it may not.
  const withoutAudit = { ...manifest, services: manifest.services.filter((service) => service.name !== "audit") };
  cluster = await startNats({
    authorization: {
      users: [
        { user: GATEWAY_USER.user, password: GATEWAY_USER.pass, permissions: gatewayPermissions(withoutAudit) },
        { user: SERVICES_USER.user, password: SERVICES_USER.pass },
      ],
    },
  });
  const url = cluster.clientUrls[0] as string;
  services = await connectAs(url, SERVICES_USER);
  received = startResponders(services).received;
  await createEventsStream(services);
  await services.flush();
  gateway = await startGateway({ manifest, servers: url, credentials: GATEWAY_USER });
});

afterAll(async () => {
  await gateway?.stop();
  await services?.close();
  await cluster?.stop();
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });
  return { status: response.status, json: (await response.json()) as { error: { code: string; message: string } } };
}

describe("gateway least privilege", () => {
  it("derives publish rights from endpoint and stream subjects, subscribe rights from its inbox prefix", () => {
    const permissions = gatewayPermissions(manifest);
    expect(permissions.publish.allow.sort()).toEqual(
      [
        "events.>",
        "svc.audit.record",
        "svc.event-bus.status",
        "svc.orders.broken",
        "svc.orders.conflict",
        "svc.orders.create",
        "svc.orders.gone",
        "svc.orders.invalid",
        "svc.orders.lengthy",
        "svc.orders.slow",
        "unserved.orders.missing",
      ].sort(),
    );
    expect(permissions.subscribe.allow).toEqual([`${GATEWAY_INBOX_PREFIX}.>`]);
    for (const rights of [permissions.publish, permissions.subscribe]) {
      expect(rights.deny).toEqual(["$JS.>", "$KV.>", "$SYS.>", "$SRV.>"]);
    }
  });

  it("answers 403 when the gateway's NATS user may not publish to the endpoint's subject", async () => {
    const before = received.length;
    const res = await post("/v1/audit/record", { entry: 1 });
    expect(res.status).toBe(403);
    expect(res.json.error).toEqual({
      code: "forbidden",
      message: "the gateway may not publish to svc.audit.record",
      requestId: expect.any(String),
    });
    await services.flush();
    expect(received.slice(before).filter((echo) => echo.subject === "svc.audit.record")).toEqual([]);
  });

  it("answers 403 to every one of several concurrent requests to a forbidden subject", async () => {
    const results = await Promise.all(Array.from({ length: 6 }, () => post("/v1/audit/record", { entry: 2 })));
    expect(results.map((res) => res.status)).toEqual([403, 403, 403, 403, 403, 403]);
  });

  it("still serves allowed endpoints and JetStream events under those permissions", async () => {
    const ok = await post("/v1/orders/create", { item: 1 });
    expect(ok.status).toBe(200);
    const event = await post("/v1/events/EVENTS", { type: "audit.checked" });
    expect(event.status).toBe(202);
    const jsm = await jetstreamManager(services);
    expect((await jsm.streams.info("EVENTS")).state.messages).toBeGreaterThanOrEqual(1);
  });

  it("holds the gateway's credentials to those rights on the server: $JS API and foreign inboxes are refused", async () => {
    const asGateway = await connectAs(cluster.clientUrls[0] as string, GATEWAY_USER);
    try {
      await expect(asGateway.request("$JS.API.INFO", "", { timeout: 1_000 })).rejects.toSatisfy((error) =>
        causes(error).some((cause) => cause instanceof errors.PermissionViolationError),
      );
      const foreign = asGateway.subscribe("_INBOX.>");
      await expect(foreign.closed).resolves.toBeInstanceOf(errors.PermissionViolationError);
    } finally {
      await asGateway.close();
    }
  });
});

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined; current = current instanceof Error ? current.cause : undefined) chain.push(current);
  return chain;
}
