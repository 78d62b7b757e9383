import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../support/gateway-client.ts";
import { suiteManifest } from "../support/manifest.ts";
import { suiteTarget } from "../support/target.ts";

const target = await suiteTarget();
const manifest = await suiteManifest(target);
const gateway = new GatewayClient(target);
const stateManager = manifest.services.find((service) => service.behaviour === "state-manager");

describe.runIf(stateManager)("state-manager compare-and-set through the gateway", () => {
  const name = stateManager?.name as string;

  it("answers 409 to a write at a stale revision and accepts one at the current revision", async () => {
    const key = `e2e-${randomUUID()}`;
    const created = await gateway.call(name, "put", { key, value: { step: 1 } });
    expect(created.status, created.text).toBe(200);
    const revision = created.json<{ revision: number }>().revision;

    const advanced = await gateway.call(name, "cas", { key, value: { step: 2 }, revision });
    expect(advanced.status, advanced.text).toBe(200);
    expect(advanced.json<{ revision: number }>().revision).toBeGreaterThan(revision);

    const stale = await gateway.provokeError(name, "cas", { key, value: { step: 3 }, revision });
    expect(stale.status, stale.text).toBe(409);
    expect(stale.json<{ error: { code: string } }>().error.code).toBe("conflict");

    const read = await gateway.call(name, "get", { key });
    expect(read.json<{ value: unknown }>().value).toEqual({ step: 2 });
  });
});
