import { describe, expect, it } from "vitest";
import { GatewayError, type GatewayManifest, gatewayPermissions } from "../../gateway/index.ts";
import { DEFAULT_MANIFEST, loadManifest } from "../../services/manifest/index.ts";

function manifestWith(services: GatewayManifest["services"]): GatewayManifest {
  return { file: "fleet.yaml", services };
}

const endpoint = { name: "get", subject: "svc.user.get", timeoutMs: 1_000 };

describe("routes from the manifest", () => {
  it("reserves the events segment for the JetStream route", () => {
    const manifest = manifestWith([{ name: "events", endpoints: [endpoint], streams: [] }]);
    expect(() => gatewayPermissions(manifest)).toThrow(GatewayError);
    expect(() => gatewayPermissions(manifest)).toThrow(
      'fleet.yaml:services[0].name: "events" is reserved for the gateway\'s JetStream route',
    );
  });

  it.each([
    ["svc.user.*", "endpoints[0].subject", '"svc.user.*" is not a literal NATS subject'],
    ["svc.>", "endpoints[0].subject", '"svc.>" is not a literal NATS subject'],
    ["svc..get", "endpoints[0].subject", '"svc..get" is not a literal NATS subject'],
  ])("rejects endpoint subject %s with file:field: problem", (subject, field, problem) => {
    const manifest = manifestWith([{ name: "user", endpoints: [{ ...endpoint, subject }], streams: [] }]);
    expect(() => gatewayPermissions(manifest)).toThrow(`fleet.yaml:services[0].${field}: ${problem}`);
  });

  it("rejects duplicate services and endpoints and non-positive timeouts", () => {
    expect(() =>
      gatewayPermissions(
        manifestWith([
          { name: "user", endpoints: [endpoint], streams: [] },
          { name: "user", endpoints: [endpoint], streams: [] },
        ]),
      ),
    ).toThrow('fleet.yaml:services[1].name: duplicate service "user"');
    expect(() => gatewayPermissions(manifestWith([{ name: "user", endpoints: [endpoint, endpoint], streams: [] }]))).toThrow(
      'fleet.yaml:services[0].endpoints[1].name: duplicate endpoint "get" in service "user"',
    );
    expect(() => gatewayPermissions(manifestWith([{ name: "user", endpoints: [{ ...endpoint, timeoutMs: 0 }], streams: [] }]))).toThrow(
      "fleet.yaml:services[0].endpoints[0].timeoutMs: must be a positive number of milliseconds, got 0",
    );
  });

  it("grants the reference fleet exactly its endpoint subjects and the EVENTS stream", async () => {
    const fleet = await loadManifest(DEFAULT_MANIFEST);
    const permissions = gatewayPermissions(fleet);
    const subjects = fleet.services.flatMap((service) => service.endpoints.map((e) => e.subject));
    expect(permissions.publish.allow.sort()).toEqual([...new Set([...subjects, "events.>"])].sort());
    expect(permissions.publish.allow.every((subject) => !subject.startsWith("$"))).toBe(true);
  });
});
