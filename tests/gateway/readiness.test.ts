import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedGateway, startGateway } from "../../gateway/index.ts";
import type { StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { startNats, testManifest } from "./support/nats.ts";

let cluster: StartedLocalCluster;
let gateway: StartedGateway;

beforeAll(async () => {
  cluster = await startNats();
  gateway = await startGateway({ manifest: await testManifest(), servers: cluster.clientUrls });
});

afterAll(async () => {
  await gateway?.stop();
  await cluster?.stop();
});

async function readyStatus(): Promise<number> {
  return (await fetch(`${gateway.url}/readyz`)).status;
}

function until(status: number, what: string): Promise<true> {
  return waitUntil(async () => ((await readyStatus()) === status ? true : undefined), { timeoutMs: 15_000, intervalMs: 50, what });
}

describe("gateway readiness", () => {
  it("reports not ready while NATS is down, answers requests 503 at once, and recovers when NATS returns", async () => {
    expect(await readyStatus()).toBe(200);
    const node = cluster.nodes[0];
    if (!node) throw new Error("cluster has no node");
    await node.stop();
    await until(503, "/readyz to answer 503 after nats-server stopped");
    const body = (await (await fetch(`${gateway.url}/readyz`)).json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("not_ready");
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^gateway_nats_connected 0$/m);
    const request = await fetch(`${gateway.url}/v1/orders/create`, { method: "POST", body: "{}" });
    expect(request.status).toBe(503);
    expect(((await request.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);

    await node.start();
    await until(200, "/readyz to answer 200 after nats-server came back");
    const after = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(after).toMatch(/^gateway_nats_reconnects_total [1-9]\d*$/m);
  });

  it("reports not ready while draining, then stops listening", async () => {
    const draining = await startGateway({ manifest: await testManifest(), servers: cluster.clientUrls, drainDelayMs: 1_000 });
    const stopped = draining.stop();
    const res = await fetch(`${draining.url}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("gateway is draining");
    await stopped;
    await expect(fetch(`${draining.url}/healthz`)).rejects.toThrow();
  });

  it("stops when its AbortSignal aborts, and refuses an already aborted one", async () => {
    const controller = new AbortController();
    const aborted = await startGateway({ manifest: await testManifest(), servers: cluster.clientUrls, signal: controller.signal });
    expect((await fetch(`${aborted.url}/healthz`)).status).toBe(200);
    controller.abort();
    await waitUntil(
      () =>
        fetch(`${aborted.url}/healthz`).then(
          () => undefined,
          () => true,
        ),
      { timeoutMs: 10_000, what: "the aborted gateway to stop listening" },
    );
    await expect(startGateway({ manifest: await testManifest(), servers: cluster.clientUrls, signal: controller.signal })).rejects.toThrow(
      /abort/i,
    );
  });
});
