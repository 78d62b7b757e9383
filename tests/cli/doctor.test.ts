import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager, StorageType, type StreamConfig } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { retry } from "../../lib/retry/index.ts";
import { gauntlet } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "gauntlet-doctor-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeTarget(name: string, servers: string[], monitoring: string[], extra = "", nats = "", manifest?: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `nats:\n  servers: [${servers.join(", ")}]\n  monitoring: [${monitoring.join(", ")}]\n${nats}${manifest ? `manifest: ${manifest}\n` : ""}expect:\n  nodes: ${monitoring.length}\n  max_payload: 4MB\n${extra}`,
  );
  return file;
}

/** A one-service manifest whose streams are all marked durable. */
function writeManifest(name: string, durable: string[]): string {
  const file = join(dir, `${name}-manifest.yaml`);
  const streams = durable.map((stream) => `      - { name: ${stream}, subjects: ["${stream}.>"], durable: true }`).join("\n");
  writeFileSync(
    file,
    `services:\n  - name: ledger\n    version: 1.0.0\n    endpoints:\n      - { name: get, timeout: 1s, samples: [{}], responseSchema: { type: object } }\n    streams:\n${streams}\n`,
  );
  return file;
}

async function addStream(servers: string[], name: string, replicas: number, storage: StorageType): Promise<void> {
  const nc = await connect({ servers });
  await addStreamOnceAllPeersCount(nc, { name, subjects: [`${name}.>`], num_replicas: replicas, storage });
  await nc.close();
}

/**
 * Just after the cluster formed, the meta leader may not yet count every peer online: placement
 * is refused ("no suitable peers for placement, peer offline") until it does.
 */
async function addStreamOnceAllPeersCount(nc: NatsConnection, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await retry(() => jsm.streams.add(config), {
    timeoutMs: 15_000,
    intervalMs: 250,
    what: `stream ${config.name} placed`,
    retryIf: (error) => /no suitable peers|peer offline/.test((error as Error).message),
  });
}

async function addReplicatedStream(servers: string[], name: string): Promise<void> {
  const nc = await connect({ servers });
  await addStreamOnceAllPeersCount(nc, { name, subjects: [`${name}.>`], num_replicas: 3, storage: StorageType.File });
  await jetstream(nc).publish(`${name}.one`, "x");
  await nc.close();
}

describe("gauntlet doctor", () => {
  it("declares a formed 5-node cluster with a current R3 stream healthy (exit 0)", async () => {
    await using cluster = await new LocalCluster().withNodes(5).start();
    await addReplicatedStream(cluster.clientUrls, "HEALTHY");
    const result = await gauntlet(["doctor", "--target", writeTarget("healthy", cluster.clientUrls, cluster.monitoringUrls)]);
    expect(result.stdout).toContain("Verdict: HEALTHY");
    expect(result.stdout).toMatch(/cluster formed\s+✔ pass\s+5 nodes, each routed to 4 peers/);
    expect(result.stdout).toMatch(/streams current\s+✔ pass\s+1 stream\(s\), every replica current/);
    expect(result.code).toBe(0);
  });

  it("reports five servers that never found each other as islands (exit 1)", async () => {
    // The deployment notes' real failure: five servers started with a basic config and no cluster discovery.
    const servers: StartedLocalCluster[] = [];
    try {
      for (let i = 0; i < 5; i += 1) servers.push(await new LocalCluster().withNodes(1).start());
      const target = writeTarget(
        "islands",
        servers.flatMap((server) => server.clientUrls),
        servers.flatMap((server) => server.monitoringUrls),
      );
      const result = await gauntlet(["doctor", "--target", target]);
      const island = String.raw`\[nats-1@http://127\.0\.0\.1:\d+\]`;
      expect(result.stdout).toMatch(
        new RegExp(String.raw`cluster formed\s+✖ FAIL\s+not formed: 5 islands ${Array(5).fill(island).join(" ")}`),
      );
      expect(result.stdout).toContain("Verdict: UNHEALTHY");
      expect(result.code).toBe(1);
    } finally {
      await Promise.all(servers.map((server) => server.stop()));
    }
  });

  it("names a node that is down and the stream replica it took with it", async () => {
    await using cluster = await new LocalCluster().withNodes(3).start();
    await addReplicatedStream(cluster.clientUrls, "DEGRADED");
    await cluster.nodes[2]?.kill();
    const result = await gauntlet(["doctor", "--target", writeTarget("one-down", cluster.clientUrls, cluster.monitoringUrls)]);
    expect(result.stdout).toMatch(/nodes reachable\s+✖ FAIL\s+2\/3 reachable; http:\/\/127\.0\.0\.1:\d+ \(.*unreachable/);
    expect(result.stdout).toMatch(/streams current\s+✖ FAIL\s+DEGRADED: (no leader|leader nats-3 unreachable|.*nats-3 unreachable)/);
    expect(result.code).toBe(1);
  });

  it("fails (exit 1) when the target expects TLS and the servers accept plain-text clients", async () => {
    await using cluster = await new LocalCluster().withNodes(1).start();
    const target = writeTarget("no-tls", cluster.clientUrls, cluster.monitoringUrls, "  tls: true\n");
    const result = await gauntlet(["doctor", "--target", target]);
    expect(result.stdout).toMatch(/TLS\s+✖ FAIL\s+off \(expected on\)/);
    expect(result.stdout).toMatch(/TLS client\s+✖ FAIL\s+with the system's CAs and no client certificate: server does not support 'tls'/);
    expect(result.stdout).toContain("Verdict: UNHEALTHY");
    expect(result.code).toBe(1);
  });

  it("passes TLS on a cluster that requires it, and connects with the target's CA and client certificate", async () => {
    await using cluster = await new LocalCluster().withNodes(3).withTls().start();
    const tls = cluster.tls as NonNullable<typeof cluster.tls>;
    const files = (cert: boolean) => `  tls: { ca: ${tls.ca}${cert ? `, cert: ${tls.client.cert}, key: ${tls.client.key}` : ""} }\n`;
    const target = writeTarget("tls", cluster.clientUrls, cluster.monitoringUrls, "  tls: true\n", files(true));
    const result = await gauntlet(["doctor", "--target", target]);
    expect(result.stdout).toMatch(/TLS\s+✔ pass\s+on, client certificates verified, routes over TLS \(expected on\)/);
    expect(result.stdout).toMatch(/TLS client\s+✔ pass\s+connected to 127\.0\.0\.1:\d+ with the target's CA and its client certificate/);
    expect(result.code).toBe(0);

    // The servers verify clients: the same target without a client certificate cannot connect, and says why.
    const noCert = writeTarget("tls-no-cert", cluster.clientUrls, cluster.monitoringUrls, "  tls: true\n", files(false));
    const refused = await gauntlet(["doctor", "--target", noCert]);
    expect(refused.stdout).toMatch(
      /TLS client\s+✖ FAIL\s+with the target's CA and no client certificate: .*(certificate required|ECONNRESET)/,
    );
    expect(refused.code).toBe(1);
  });

  it("warns on the default sync_interval naming each node, and on a durable stream that is R1 or in memory", async () => {
    await using cluster = await new LocalCluster().withNodes(3).start();
    await addStream(cluster.clientUrls, "ORDERS", 1, StorageType.File);
    await addStream(cluster.clientUrls, "AUDIT", 3, StorageType.Memory);
    await addStream(cluster.clientUrls, "SCRATCH", 1, StorageType.Memory);
    const manifest = writeManifest("r1-memory", ["ORDERS", "AUDIT"]);
    const target = writeTarget("lax", cluster.clientUrls, cluster.monitoringUrls, "", "", manifest);
    const result = await gauntlet(["doctor", "--target", target]);
    expect(result.stdout).toMatch(/nats-1 .* 120s\n/);
    expect(result.stdout).toMatch(/JetStream sync\s+! warn\s+sync_interval 120s on nats-1, nats-2, nats-3: a power loss/);
    expect(result.stdout).toMatch(
      /stream durability\s+! warn\s+AUDIT is durable but on memory storage .*; ORDERS is durable but R1 \(needs R≥3\) — .*SCRATCH R1 memory/,
    );
    expect(result.stdout).toContain("Verdict: HEALTHY");
    expect(result.code).toBe(0);

    const strict = writeTarget("strict", cluster.clientUrls, cluster.monitoringUrls, "  sync: always\n  min_replicas: 3\n", "", manifest);
    const failed = await gauntlet(["doctor", "--target", strict]);
    expect(failed.stdout).toMatch(/JetStream sync\s+✖ FAIL\s+sync_interval 120s on nats-1, nats-2, nats-3 \(expected always\)/);
    expect(failed.stdout).toMatch(
      /stream durability\s+✖ FAIL\s+AUDIT is durable but on memory storage .*; ORDERS is durable but R1 \(needs R≥3\)/,
    );
    expect(failed.stdout).toContain("Verdict: UNHEALTHY");
    expect(failed.code).toBe(1);
  });

  it("passes a cluster that fsyncs every write with its durable streams on R3 file storage", async () => {
    await using cluster = await new LocalCluster().withNodes(3).withSyncAlways().start();
    await addStream(cluster.clientUrls, "ORDERS", 3, StorageType.File);
    const manifest = writeManifest("r3-file", ["ORDERS"]);
    const target = writeTarget("durable", cluster.clientUrls, cluster.monitoringUrls, "  sync: always\n  min_replicas: 3\n", "", manifest);
    const result = await gauntlet(["doctor", "--target", target]);
    expect(result.stdout).toMatch(/JetStream sync\s+✔ pass\s+sync_interval always on nats-1, nats-2, nats-3/);
    expect(result.stdout).toMatch(/stream durability\s+✔ pass\s+ORDERS R3 file \(durable\)/);
    expect(result.stdout).toContain("Verdict: HEALTHY");
    expect(result.code).toBe(0);
  });

  it("refuses a malformed target with file, field and problem (exit 2)", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "nats:\n  servers: [nats://127.0.0.1:4222]\n  monitoring: [not-a-url]\n");
    const result = await gauntlet(["doctor", "--target", file]);
    expect(result.stderr).toContain(`${file}:nats.monitoring[0]: expected an http(s):// URL (line 3)`);
    expect(result.code).toBe(2);
  });
});
