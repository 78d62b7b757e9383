import { readFileSync } from "node:fs";
import { connect, isIP, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { snapshotNode } from "../../harness/probes/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { GatewayClient } from "../support/gateway-client.ts";
import { suiteManifest } from "../support/manifest.ts";
import { connectTarget, suiteTarget } from "../support/target.ts";

const target = await suiteTarget();
const manifest = await suiteManifest(target);
const gateway = new GatewayClient(target);
let nc: NatsConnection | undefined;
afterAll(() => nc?.close());

const [firstService] = manifest.services;
const firstEndpoint = firstService?.endpoints[0];
const slow = manifest.services.flatMap((service) =>
  service.endpoints.filter((endpoint) => endpoint.slowSample).map((endpoint) => ({ service, endpoint })),
)[0];

/** Uploads over a raw socket and reads the status line as it arrives, as curl does, even if the upload is cut off. */
function postReadingEarlyAnswer(url: string, body: Buffer): Promise<{ status: number }> {
  const { protocol, hostname, port, pathname } = new URL(url);
  const ca = gateway.ca ? readFileSync(gateway.ca, "utf8") : undefined;
  return new Promise((resolve, reject) => {
    const socket: Socket =
      protocol === "https:"
        ? tlsConnect({ host: hostname, port: Number(port), ...(isIP(hostname) ? {} : { servername: hostname }), ...(ca ? { ca } : {}) })
        : connect({ host: hostname, port: Number(port) });
    let received = "";
    const timer = setTimeout(() => socket.destroy(new Error("no answer within 10 s")), 10_000);
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (status) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status: Number(status[1]) });
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ECONNRESET") reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      reject(new Error(`connection closed before any answer (received ${JSON.stringify(received.slice(0, 80))})`));
    });
    socket.write(
      `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.end(body);
  });
}

async function maxPayload(): Promise<number> {
  const node = await snapshotNode(target.nats.monitoring[0] as string);
  if (!node.reachable) throw new Error(`cannot read max_payload: ${node.error}`);
  return node.maxPayload;
}

describe("gateway status mapping", () => {
  it.each([
    ["an unknown service", "/v1/no-such-service/get"],
    ["an unknown endpoint", `/v1/${firstService?.name}/no-such-endpoint`],
    ["a wildcard service", "/v1/*/get"],
    ["a full-wildcard endpoint", `/v1/${firstService?.name}/>`],
    ["a system subject", "/v1/$SRV/PING"],
    ["an encoded dot", `/v1/${firstService?.name}%2E${firstEndpoint?.name}/x`],
    ["an unknown stream", "/v1/events/NO_SUCH_STREAM"],
  ])("answers 404 for %s", async (_case, path) => {
    const response = await gateway.post(path, "{}");
    expect(response.status, response.text).toBe(404);
    expect(response.json<{ error: { code: string; requestId: string } }>().error.requestId).toBeTruthy();
  });

  it("answers 400 for a body that is not JSON", async () => {
    const response = await gateway.post(`/v1/${firstService?.name}/${firstEndpoint?.name}`, "{not json");
    expect(response.status, response.text).toBe(400);
  });

  it("answers 413 for a body larger than the server's max_payload", async () => {
    const body = Buffer.alloc((await maxPayload()) + 1, "x");
    // The gateway answers before the upload ends; like curl, read the answer rather than fail on the cut-off upload.
    const { status } = await postReadingEarlyAnswer(`${gateway.urls[0]}/v1/${firstService?.name}/${firstEndpoint?.name}`, body);
    expect(status).toBe(413);
  });

  it.runIf(slow)("answers 504 when an endpoint does not reply within its manifest timeout", async () => {
    const { service, endpoint } = slow as NonNullable<typeof slow>;
    const response = await gateway.provokeError(service.name, endpoint.name, endpoint.slowSample?.request);
    expect(response.status, response.text).toBe(504);
    expect(response.ms).toBeGreaterThanOrEqual(endpoint.timeoutMs * 0.95);
  });

  it("never lets client headers other than trace context and request id into NATS", async () => {
    if (!firstService || !firstEndpoint) throw new Error("the manifest has no endpoint");
    nc ??= await connectTarget(target);
    const seen: Array<Record<string, string[]>> = [];
    const sub = nc.subscribe(firstEndpoint.subject, {
      callback: (_error, msg) => {
        const headers: Record<string, string[]> = {};
        for (const [key, values] of msg.headers ?? []) headers[key.toLowerCase()] = values;
        seen.push(headers);
      },
    });
    await nc.flush();
    const smuggle = () =>
      gateway.call(firstService.name, firstEndpoint.name, firstEndpoint.samples[0], {
        "Nats-Msg-Id": "smuggled",
        "Nats-Expected-Stream": "EVENTS",
        "Nats-Service-Error-Code": "500",
        "X-Internal-Admin": "yes",
        Authorization: "Bearer secret",
      });
    // Our subscription's interest reaches the gateway's node asynchronously: send until we see one.
    const response = await waitUntil(
      async () => {
        const sent = await smuggle();
        return seen.length > 0 ? sent : undefined;
      },
      { what: "a request to reach our subscription", attempts: 51, intervalMs: 50 },
    );
    await nc.flush();
    sub.unsubscribe();
    expect(response.status, response.text).toBe(200);
    expect(seen.length).toBeGreaterThan(0);
    const keys = [...new Set(seen.flatMap((headers) => Object.keys(headers)))];
    expect(keys.filter((key) => key.startsWith("nats-"))).toEqual([]);
    expect(keys.filter((key) => !["traceparent", "tracestate", "x-request-id", "content-type"].includes(key))).toEqual([]);
  });
});
