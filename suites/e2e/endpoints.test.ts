import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { GatewayClient } from "../support/gateway-client.ts";
import { suiteManifest } from "../support/manifest.ts";
import { suiteTarget } from "../support/target.ts";

const target = await suiteTarget();
const manifest = await suiteManifest(target);
const gateway = new GatewayClient(target);
const ajv = new Ajv({ allErrors: true, strict: false });

describe.each(manifest.services.map((service) => [service.name, service] as const))("%s through the gateway", (_name, service) => {
  const cases = service.endpoints.flatMap((endpoint) =>
    endpoint.samples.map((sample, index) => ({ label: `${endpoint.name} sample ${index + 1}`, endpoint, sample })),
  );
  it.each(cases)("$label answers 200 with a response that matches its schema", async ({ endpoint, sample }) => {
    const response = await gateway.call(service.name, endpoint.name, sample);
    expect(response.status, response.text).toBe(200);
    const validate = ajv.compile(endpoint.responseSchema);
    const body = response.json();
    if (!validate(body))
      expect.fail(
        `${service.name}.${endpoint.name}: response does not match its schema: ${ajv.errorsText(validate.errors)}\n${response.text}`,
      );
  });
});
