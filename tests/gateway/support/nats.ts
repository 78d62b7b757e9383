import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import type { GatewayManifest } from "../../../gateway/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../../harness/providers/local/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { loadManifest } from "../../../services/manifest/index.ts";

export const MANIFEST_FILE = new URL("manifest.yaml", import.meta.url).pathname;

export function testManifest(): Promise<GatewayManifest> {
  return loadManifest(MANIFEST_FILE);
}

/** One real nats-server with JetStream; `config` is merged into its configuration. */
export async function startNats(config: Record<string, unknown> = {}, maxPayload = 64 * 1024): Promise<StartedLocalCluster> {
  const cluster = await new LocalCluster().withNodes(1).withMaxPayload(maxPayload).withConfig(config).start();
  // LocalCluster is ready once /varz answers, but nats-server opens its client port later
  // (after JetStream starts); /healthz answers 200 only once clients can connect.
  await Promise.all(
    cluster.monitoringUrls.map((url) =>
      waitUntil(() => fetch(`${url}/healthz`).then((res) => (res.ok ? true : undefined)), {
        timeoutMs: 15_000,
        intervalMs: 20,
        what: `${url}/healthz`,
      }),
    ),
  );
  return cluster;
}

export async function connectAs(url: string, auth: { user: string; pass: string } | undefined = undefined): Promise<NatsConnection> {
  return connect({ servers: url, ...auth });
}

export async function createEventsStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "EVENTS", subjects: ["events.>"], storage: "memory", num_replicas: 1, duplicate_window: 60_000_000_000 });
}
