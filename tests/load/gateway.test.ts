import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedGateway, startGateway } from "../../gateway/index.ts";
import { type LiveLoad, type LoadTarget, runLoad } from "../../harness/load/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { DEFAULT_MANIFEST, loadManifest } from "../../services/manifest/index.ts";
import { provisionJetStream, type StartedFleet, startFleet } from "../../services/runtime/index.ts";

const suite = (name: string) => new URL(`../../suites/load/${name}.ts`, import.meta.url).pathname;
const statuses = (result: Awaited<ReturnType<typeof runLoad>>) =>
  new Set(result.tagged.counters.filter((c) => c.metric === "http_reqs").map((c) => c.tags.status));

describe("gateway scenarios against the real gateway and co-hosted fleet on a 3-node cluster", () => {
  let cluster: StartedLocalCluster;
  let nc: NatsConnection;
  let fleet: StartedFleet;
  let gateway: StartedGateway;
  let target: LoadTarget;

  beforeAll(async () => {
    const manifest = await loadManifest(DEFAULT_MANIFEST);
    cluster = await new LocalCluster().withNodes(3).start();
    nc = await connect({ servers: cluster.clientUrls });
    await provisionJetStream(nc, manifest);
    fleet = await startFleet({ manifest, servers: cluster.clientUrls, mode: "cohosted", replicas: 1, log: () => {} });
    await fleet.waitReady(30_000);
    gateway = await startGateway({ manifest, servers: cluster.clientUrls });
    target = {
      nats: { servers: cluster.clientUrls, monitoring: cluster.monitoringUrls },
      gateway: { urls: [gateway.url] },
      manifest: DEFAULT_MANIFEST,
    };
  });

  afterAll(async () => {
    await gateway?.stop();
    await fleet?.stop();
    await nc?.close();
    await cluster?.stop();
  });

  it("gateway-mixed reaches the fleet's routes from the manifest: answers are 200 or a stand-in's injected fault (502), never 404/503", async () => {
    const result = await runLoad({ scenario: suite("gateway-mixed"), target, rate: 40, duration: 1000, workers: 1, progress: false });
    expect((result.metrics.http_reqs?.count ?? 0) + (result.metrics.dropped_iterations?.count ?? 0)).toBe(40);
    // A stand-in's injected fault is a service error with code 500, which the gateway answers with 502.
    expect([...statuses(result)].filter((s) => s !== "200" && s !== "502")).toEqual([]);
    const endpoints = new Set(result.tagged.counters.filter((c) => c.metric === "http_reqs").map((c) => c.tags.endpoint));
    expect(endpoints.size).toBeGreaterThan(5);
  });

  it("gateway-story composes stories with a trace id through three services", async () => {
    const result = await runLoad({ scenario: suite("gateway-story"), target, rate: 5, duration: 1000, workers: 1, progress: false });
    expect(result.metrics.http_reqs?.count).toBe(5);
    expect([...statuses(result)]).toEqual(["200"]);
    expect(result.metrics.checks).toMatchObject({ rate: 1, total: 10 });
  });

  it("gateway-events ingests into the EVENTS stream, each event stored once, every acknowledged sequence reported live", async () => {
    let live: LiveLoad | undefined;
    const result = await runLoad({
      scenario: suite("gateway-events"),
      target,
      rate: 20,
      duration: 1000,
      workers: 1,
      progress: false,
      onStart: (started) => {
        live = started;
      },
    });
    expect(result.metrics.http_reqs?.count).toBe(20);
    expect(result.metrics.checks).toMatchObject({ rate: 1, total: 20 });
    expect(live?.window(0, 1)).toMatchObject({ requests: 20, errors: 0, dropped: 0 });
    const acked = live?.acknowledged("EVENTS") ?? [];
    expect(new Set(acked).size).toBe(20);
    const jsm = await jetstreamManager(nc);
    for (const seq of acked) expect((await jsm.streams.getMessage("EVENTS", { seq }))?.seq).toBe(seq);
  });

  it("says which target field is missing when a gateway scenario runs without gateway URLs", async () => {
    await expect(runLoad({ scenario: suite("gateway-events"), target: { nats: target.nats }, progress: false })).rejects.toThrow(
      "target has no gateway.urls: gateway scenarios need the gateway's base URLs",
    );
  });
});
