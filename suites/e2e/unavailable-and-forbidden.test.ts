import { connect, createInbox } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { startGateway } from "../../gateway/index.ts";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { suiteControl } from "../support/control.ts";
import { GatewayClient } from "../support/gateway-client.ts";
import { suiteManifest } from "../support/manifest.ts";
import { connectTarget, suiteTarget } from "../support/target.ts";

const target = await suiteTarget();
const manifest = await suiteManifest(target);
const gateway = new GatewayClient(target);
const control = suiteControl(target);
const called = new Set(manifest.services.flatMap((service) => service.calls.map((call) => call.split(".")[0])));
// A service nobody else calls: stopping it disturbs only this test.
const leaf = manifest.services.find((service) => !called.has(service.name) && service.streams.length === 0 && service.kv.length === 0);
const gatewayUser =
  target.gateway?.nats_user && target.gateway.nats_pass ? { user: target.gateway.nats_user, pass: target.gateway.nats_pass } : undefined;
/** The target's TLS files (CA and client certificate), for connections as the gateway's user. */
const tls = target.nats.tls;

async function instancesOf(name: string): Promise<number> {
  const nc = await connectTarget(target);
  try {
    const inbox = createInbox();
    const ids = new Set<string>();
    const sub = nc.subscribe(inbox, {
      callback: (_error, msg) => {
        if (msg.data.length > 0) ids.add(msg.json<{ id: string }>().id);
      },
    });
    nc.publish(`$SRV.PING.${name}`, "", { reply: inbox });
    await new Promise((resolve) => setTimeout(resolve, 300));
    sub.unsubscribe();
    return ids.size;
  } finally {
    await nc.close();
  }
}

describe.runIf(control && leaf)("a service with every replica stopped (through the harness's control API)", () => {
  it("answers 503 no responders, then 200 again once its replicas are back", async () => {
    const service = leaf as NonNullable<typeof leaf>;
    const endpoint = service.endpoints[0];
    if (!endpoint || !control) throw new Error("unreachable");
    const replicas = (await control.describe()).services.filter((replica) => replica.service === service.name);
    expect(replicas.length).toBe(service.replicas);
    try {
      for (const replica of replicas) await control.replica("services", replica.name, "stop");
      const response = await gateway.provokeError(service.name, endpoint.name, endpoint.samples[0]);
      expect(response.status, response.text).toBe(503);
      expect(response.json<{ error: { code: string } }>().error.code).toBe("no_responders");
    } finally {
      for (const replica of replicas) await control.replica("services", replica.name, "start");
    }
    await waitUntil(async () => ((await instancesOf(service.name)) >= service.replicas ? true : undefined), {
      timeoutMs: 15_000,
      what: `${service.name} back with ${service.replicas} instances`,
    });
    const again = await gateway.call(service.name, endpoint.name, endpoint.samples[0]);
    expect(again.status, again.text).toBe(200);
  });
});

describe.runIf(gatewayUser)("the gateway's NATS user has least privilege", () => {
  it.each(["$JS.API.INFO", "$KV.state.anything", "$SYS.REQ.SERVER.PING", "$SRV.PING", "not.a.fleet.subject"])(
    "may not publish to %s",
    async (subject) => {
      const nc = await connect(
        natsConnectionOptions(
          { servers: target.nats.servers, ...gatewayUser, tls },
          { name: "gauntlet-suite-as-gateway", profile: "defaults" },
        ),
      );
      try {
        await expect(nc.request(subject, "", { timeout: 2_000 })).rejects.toThrow(/permissions violation/i);
      } finally {
        await nc.close();
      }
    },
  );

  it("answers 403 when a route's subject is outside the gateway user's permissions", async () => {
    const [model] = manifest.services;
    const [endpoint] = model?.endpoints ?? [];
    if (!model || !endpoint) throw new Error("the manifest has no endpoint");
    const probe = {
      ...model,
      name: "gauntlet-forbidden",
      endpoints: [{ ...endpoint, name: "probe", subject: "gauntlet.forbidden.probe" }],
      streams: [],
      kv: [],
      calls: [],
    };
    const forbidden = { ...manifest, services: [...manifest.services, probe] };
    await using probeGateway = await startGateway({
      manifest: forbidden,
      servers: [...target.nats.servers],
      ...(gatewayUser ? { credentials: gatewayUser } : {}),
      ...(tls ? { natsTls: tls } : {}),
    });
    const response = await fetch(`${probeGateway.url}/v1/gauntlet-forbidden/probe`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    expect(response.status, await response.clone().text()).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("forbidden");
  });
});
