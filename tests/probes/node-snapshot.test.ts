import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePorts } from "../../harness/net/free-port.ts";
import { getMonitoring, snapshotNode } from "../../harness/probes/index.ts";
import { LocalNode } from "../../harness/providers/local/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startedNode(config: (dir: string) => Record<string, unknown>): Promise<LocalNode> {
  const dir = mkdtempSync(join(tmpdir(), "gauntlet-snapshot-"));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const [client, monitoring] = (await freePorts(2)) as [number, number];
  const node = new LocalNode({
    binary: process.env.GAUNTLET_NATS_SERVER as string,
    name: "solo",
    dir,
    ports: { client, cluster: 0, monitoring },
    config: { server_name: "solo", listen: `127.0.0.1:${client}`, http: `127.0.0.1:${monitoring}`, ...config(dir) },
  });
  cleanups.push(() => node.stop());
  await node.start();
  return node;
}

describe("node snapshot", () => {
  it("sees JetStream that started after the first /varz, which /varz itself never shows", async () => {
    // nats-server fills /varz's JetStream section in on the first /varz request only: a server
    // asked between its monitoring port opening and JetStream starting says "no JetStream" in
    // /varz for its whole life. Here JetStream starts after the first /varz by a config reload.
    const node = await startedNode(() => ({ jetstream: false }));
    expect(await snapshotNode(node.monitoringUrl)).toMatchObject({ reachable: true, jetstream: false });

    const config = JSON.parse(readFileSync(node.configFile, "utf8")) as Record<string, unknown>;
    const jetstream = { store_dir: join(node.dir, "jetstream") };
    writeFileSync(node.configFile, JSON.stringify({ ...config, jetstream }));
    process.kill(node.pid as number, "SIGHUP");
    const snapshot = await waitUntil(
      async () => {
        const seen = await snapshotNode(node.monitoringUrl);
        return seen.reachable && seen.jetstream ? seen : undefined;
      },
      { timeoutMs: 10_000, what: "JetStream started by the reload" },
    );

    expect(snapshot.sync).toEqual({ always: false, intervalMs: 120_000 });
    const varz = await getMonitoring<{ jetstream?: { config?: unknown } }>(node.monitoringUrl, "/varz");
    expect(varz.jetstream?.config).toBeUndefined();
  });
});
