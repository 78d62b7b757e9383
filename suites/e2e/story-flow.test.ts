import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../support/gateway-client.ts";
import { suiteManifest } from "../support/manifest.ts";
import { suiteTarget } from "../support/target.ts";

const target = await suiteTarget();
const manifest = await suiteManifest(target);
const gateway = new GatewayClient(target);
const storyTeller = manifest.services.find((service) => service.behaviour === "story-teller");

interface Hop {
  service: string;
  endpoint: string;
  traceId: string;
  spanId: string;
  parentId?: string;
}

describe.runIf(storyTeller)("story flow: Client → Gateway → story-teller → model-management + ai-integration", () => {
  it("carries one trace id across every hop and echoes the trace context to the client", async () => {
    const service = storyTeller as NonNullable<typeof storyTeller>;
    const endpoint = service.endpoints[0];
    if (!endpoint) throw new Error(`${service.name} declares no endpoint`);
    const traceId = randomBytes(16).toString("hex");
    const requestId = `e2e-story-${Date.now()}`;
    const response = await gateway.call(service.name, endpoint.name, endpoint.samples[0], {
      traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01`,
      "x-request-id": requestId,
    });
    expect(response.status, response.text).toBe(200);
    const body = response.json<{ traceId: string; hops: Hop[] }>();
    expect(body.traceId).toBe(traceId);
    const services = new Set(body.hops.map((hop) => hop.service));
    for (const call of [service.name, ...service.calls.map((c) => c.split(".")[0] as string)]) expect(services).toContain(call);
    expect(body.hops.every((hop) => hop.traceId === traceId)).toBe(true);
    expect(new Set(body.hops.map((hop) => hop.spanId)).size).toBe(body.hops.length);
    const downstream = body.hops.filter((hop) => hop.service !== service.name);
    const parent = body.hops.find((hop) => hop.service === service.name);
    expect(downstream.every((hop) => hop.parentId === parent?.spanId)).toBe(true);
    expect(response.headers.get("traceparent")).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(response.headers.get("x-request-id")).toBe(requestId);
  });

  it("starts a new trace when the client sends none, and still returns it", async () => {
    const service = storyTeller as NonNullable<typeof storyTeller>;
    const endpoint = service.endpoints[0];
    const response = await gateway.call(service.name, endpoint?.name ?? "", endpoint?.samples[0]);
    expect(response.status, response.text).toBe(200);
    const traceparent = response.headers.get("traceparent") ?? "";
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(response.json<{ traceId: string }>().traceId).toBe(traceparent.split("-")[1]);
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });
});
