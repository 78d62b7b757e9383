import { createConnection } from "node:net";
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedGateway, startGateway } from "../../gateway/index.ts";
import type { StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { connectAs, startNats, testManifest } from "./support/nats.ts";
import { type Echo, headerRecord, startResponders } from "./support/responders.ts";

const MAX_PAYLOAD = 64 * 1024;

let cluster: StartedLocalCluster;
let services: NatsConnection;
let gateway: StartedGateway;
let received: Echo[];
const observed: { subject: string; headers: Record<string, string[]> }[] = [];

beforeAll(async () => {
  cluster = await startNats({}, MAX_PAYLOAD);
  const url = cluster.clientUrls[0] as string;
  services = await connectAs(url);
  received = startResponders(services).received;
  services.subscribe("svc.>", {
    callback: (_err, msg) => {
      observed.push({ subject: msg.subject, headers: headerRecord(msg) });
    },
  });
  await services.flush();
  gateway = await startGateway({ manifest: await testManifest(), servers: url });
});

afterAll(async () => {
  await gateway?.stop();
  await services?.close();
  await cluster?.stop();
});

async function post(path: string, body: string | undefined, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

describe("gateway routes and status mapping", () => {
  it("forwards a JSON body to the endpoint's subject and returns the reply", async () => {
    const res = await post("/v1/orders/create", JSON.stringify({ item: 7 }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const echo = res.json() as Echo;
    expect(echo.subject).toBe("svc.orders.create");
    expect(echo.body).toEqual({ item: 7 });
  });

  it.each([
    ["/v1/orders/missing", 503, "no_responders"],
    ["/v1/orders/slow", 504, "timeout"],
    ["/v1/orders/conflict", 409, "conflict"],
    ["/v1/orders/invalid", 400, "bad_request"],
    ["/v1/orders/gone", 404, "not_found"],
    ["/v1/orders/broken", 502, "service_error"],
  ])("maps %s to %i (%s)", async (path, status, code) => {
    const res = await post(path, "{}", { "x-request-id": "req-map-1" });
    expect(res.status).toBe(status);
    expect(res.json()).toEqual({ error: { code, message: expect.any(String), requestId: "req-map-1" } });
  });

  it("names the subject, the service's description and the manifest timeout in error messages", async () => {
    expect((await post("/v1/orders/conflict", "{}")).json().error.message).toBe(
      "service on svc.orders.conflict answered 409: order already exists",
    );
    expect((await post("/v1/orders/broken", "{}")).json().error.message).toContain("code 500: database unreachable");
    expect((await post("/v1/orders/slow", "{}")).json().error.message).toBe("no reply on svc.orders.slow within 300 ms");
  });

  it("answers 400 for invalid JSON and for an empty body, naming the problem", async () => {
    const bad = await post("/v1/orders/create", '{"item": ');
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe("invalid_json");
    expect(bad.json().error.message).toMatch(/^request body: invalid JSON: /);
    const empty = await post("/v1/orders/create", undefined);
    expect(empty.status).toBe(400);
    expect(empty.json().error.message).toBe("request body: expected a JSON document, got an empty body");
  });

  it("answers 413 when the body exceeds the server's max_payload, and when headers push it over", async () => {
    const huge = JSON.stringify({ pad: "x".repeat(MAX_PAYLOAD) });
    const res = await post("/v1/orders/create", huge);
    expect(res.status).toBe(413);
    expect(res.json().error.message).toContain(`max_payload of ${MAX_PAYLOAD} bytes`);
    const edge = JSON.stringify({ pad: "x".repeat(MAX_PAYLOAD - 20) });
    expect(Buffer.byteLength(edge)).toBeLessThanOrEqual(MAX_PAYLOAD);
    const withHeaders = await post("/v1/orders/create", edge);
    expect(withHeaders.status).toBe(413);
    expect(withHeaders.json().error.code).toBe("payload_too_large");
  });

  it("reads and discards a refused body, so an uploading client gets its 413 and keeps its connection", async () => {
    const { port } = new URL(gateway.url);
    const socket = createConnection({ host: "127.0.0.1", port: Number(port) });
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    const answers = () => received.split(/(?=HTTP\/1\.1 \d{3} )/).filter(Boolean);
    const body = Buffer.alloc(4 * MAX_PAYLOAD, "x");
    socket.write(`POST /v1/orders/create HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    socket.write(body);
    socket.write("POST /v1/no-such/thing HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    await waitUntil(async () => (answers().length >= 2 || socket.closed ? true : undefined), {
      timeoutMs: 5_000,
      what: "two answers on one connection",
    });
    socket.destroy();
    const [refused, next] = answers();
    expect(refused).toMatch(/^HTTP\/1\.1 413 /);
    expect(refused?.toLowerCase()).not.toContain("connection: close");
    expect(next).toMatch(/^HTTP\/1\.1 404 /);
  });

  it("answers 404 for unknown services, endpoints and paths that try to smuggle subjects", async () => {
    const before = observed.length;
    const paths = [
      "/v1/nope/create",
      "/v1/orders/nope",
      "/v1/orders/*",
      "/v1/orders/>",
      "/v1/*/create",
      "/v1/>/x",
      "/v1/orders/create.extra",
      "/v1/orders/create%2Eextra",
      "/v1/orders%2Ecreate/x",
      "/v1/$SYS/REQ",
      "/v1/orders/create%00",
      "/v1/orders/%63reate%20",
      "/v1/ordérs/create",
      "/v1/orders/create/extra",
      "/v1/constructor/create",
      "/v1/__proto__/create",
      "/v1/orders/hasOwnProperty",
    ];
    for (const path of paths) {
      const res = await post(path, "{}");
      expect(res.status, path).toBe(404);
      expect(res.json().error.code, path).toBe("not_found");
    }
    await services.flush();
    expect(observed.slice(before)).toEqual([]);
  });

  it("says which path segment was not found", async () => {
    expect((await post("/v1/nope/create", "{}")).json().error.message).toBe('path segment {service}: unknown service "nope"');
    expect((await post("/v1/orders/nope", "{}")).json().error.message).toBe(
      'path segment {endpoint}: service "orders" has no endpoint "nope"',
    );
  });

  it("passes only allowlisted headers into NATS: client Nats-* and other headers never arrive", async () => {
    const before = observed.length;
    const res = await post("/v1/orders/create", "{}", {
      "Nats-Msg-Id": "smuggled",
      "Nats-Expected-Stream": "EVENTS",
      "Nats-Service-Error-Code": "500",
      "nats-rollup": "all",
      authorization: "Bearer secret",
      cookie: "a=b",
      "idempotency-key": "not-for-endpoints",
      "x-forwarded-for": "10.0.0.1",
      traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
      tracestate: "vendor=1",
      "x-request-id": "req-smuggle",
    });
    expect(res.status).toBe(200);
    await services.flush();
    const seen = observed.slice(before);
    expect(seen).toHaveLength(1);
    expect(Object.keys(seen[0]?.headers ?? {}).sort()).toEqual(["content-type", "traceparent", "tracestate", "x-request-id"]);
    expect(received.at(-1)?.headers["x-request-id"]).toEqual(["req-smuggle"]);
  });

  it("propagates the caller's trace id into NATS with the gateway's span, and echoes what it sent", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await post("/v1/orders/create", "{}", { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, "x-request-id": "req-trace" });
    const echo = res.json() as Echo;
    const sent = echo.headers.traceparent?.[0];
    expect(sent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(sent).not.toContain("00f067aa0ba902b7");
    expect(res.headers.get("traceparent")).toBe(sent);
    expect(res.headers.get("x-request-id")).toBe("req-trace");
    expect(echo.headers["x-request-id"]).toEqual(["req-trace"]);
  });

  it("generates a trace and request id when absent or malformed, and echoes them on errors too", async () => {
    const res = await post("/v1/orders/create", "{}", { traceparent: "00-zz-not-valid", "x-request-id": "bad id with spaces" });
    const echo = res.json() as Echo;
    const traceparent = res.headers.get("traceparent") ?? "";
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(echo.headers.traceparent).toEqual([traceparent]);
    const requestId = res.headers.get("x-request-id") ?? "";
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(echo.headers["x-request-id"]).toEqual([requestId]);
    const failed = await post("/v1/orders/missing", "{}");
    expect(failed.headers.get("x-request-id")).toBe(failed.json().error.requestId);
    expect(failed.headers.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it("answers 431 in the error shape when request headers are too large", async () => {
    const res = await fetch(`${gateway.url}/v1/orders/create`, {
      method: "POST",
      body: "{}",
      headers: { "x-big": "a".repeat(100 * 1024) },
    });
    expect(res.status).toBe(431);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("headers_too_large");
  });

  it("serves /healthz, /readyz and Prometheus /metrics with per-route counts and latency buckets", async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_http_requests_total\{route="\/v1\/orders\/create",status="200"\} \d+$/m);
    expect(metrics).toMatch(/^gateway_http_requests_total\{route="\/v1\/orders\/missing",status="503"\} \d+$/m);
    expect(metrics).toMatch(/^gateway_http_requests_total\{route="\/v1\/:service\/:endpoint",status="404"\} \d+$/m);
    // The slow endpoint only ever answers after its 300 ms timeout: none of it may land at or below 250 ms.
    expect(metrics).toMatch(/^gateway_http_request_duration_seconds_bucket\{route="\/v1\/orders\/slow",le="0\.25"\} 0$/m);
    const slowCount = Number(/^gateway_http_request_duration_seconds_count\{route="\/v1\/orders\/slow"\} (\d+)$/m.exec(metrics)?.[1]);
    const slowSum = Number(/^gateway_http_request_duration_seconds_sum\{route="\/v1\/orders\/slow"\} ([\d.e-]+)$/m.exec(metrics)?.[1]);
    expect(slowCount).toBeGreaterThanOrEqual(2);
    expect(slowSum).toBeGreaterThanOrEqual(0.3 * slowCount);
    expect(metrics).toMatch(/^gateway_http_request_duration_seconds_bucket\{route="\/v1\/orders\/create",le="\+Inf"\} \d+$/m);
    expect(metrics).toMatch(/^gateway_nats_connected 1$/m);
    expect(metrics).toMatch(/^gateway_draining 0$/m);
  });
});
