import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedGateway, startGateway } from "../../gateway/index.ts";
import { LocalCluster, type LocalNode, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { testManifest } from "./support/nats.ts";
import { startResponders } from "./support/responders.ts";

let cluster: StartedLocalCluster;
let gateway: StartedGateway;
let responder: NatsConnection;
let stalled: LocalNode;

beforeAll(async () => {
  cluster = await new LocalCluster().withNodes(3).start();
  const [first, ...others] = cluster.nodes;
  if (!first || others.length === 0) throw new Error("the cluster has fewer than 3 nodes");
  stalled = first;
  gateway = await startGateway({ manifest: await testManifest(), servers: cluster.clientUrls });
  // The responders stay off the node that will stall (not even learning it from the cluster): this test is about the gateway.
  responder = await connect({
    servers: others.map((node) => node.clientUrl),
    ignoreClusterUpdates: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 100,
    timeout: 2_000,
  });
  startResponders(responder);
  await responder.flush();
});

afterAll(async () => {
  await stalled?.resume();
  await gateway?.stop();
  await responder?.close();
  await cluster?.stop();
});

async function readyz(): Promise<number> {
  return (await fetch(`${gateway.url}/readyz`, { signal: AbortSignal.timeout(2_000) })).status;
}

async function serves(): Promise<boolean> {
  const response = await fetch(`${gateway.url}/v1/orders/create`, {
    method: "POST",
    body: JSON.stringify({ item: 1 }),
    signal: AbortSignal.timeout(5_000),
  });
  await response.arrayBuffer();
  return response.status === 200;
}

const until = (what: string, check: () => Promise<boolean>, timeoutMs: number) =>
  waitUntil(async () => ((await check().catch(() => false)) ? true : undefined), { timeoutMs, intervalMs: 100, what });

describe("the gateway after a full cluster restart", () => {
  it("is ready and serving again once the nodes are back, even when one of them hangs while the gateway dials it", async () => {
    expect(await readyz()).toBe(200);
    expect(await serves()).toBe(true);

    await Promise.all(cluster.nodes.map((node) => node.kill()));
    await until("/readyz to answer 503 with every node down", async () => (await readyz()) === 503, 15_000);

    // The first node back hangs (SIGSTOP) once the gateway is on it: its socket still accepts, it answers nothing.
    await stalled.start();
    await until("the gateway to reconnect to the first node back", async () => (await readyz()) === 200, 15_000);
    await stalled.pause();
    await until("the gateway to notice the hung node (missed pings)", async () => (await readyz()) === 503, 15_000);

    // Now the gateway is dialling: the other nodes refuse, the hung one accepts and never sends INFO. With nats.js's
    // default connection timeout (20 s) that one dial holds the gateway down long after the others are back.
    await Promise.all(cluster.nodes.filter((node) => node !== stalled).map((node) => node.start()));
    await until("the gateway to be ready again through the nodes that are back", async () => (await readyz()) === 200, 10_000);
    await until("the gateway to serve a request again", serves, 10_000);
  });
});
