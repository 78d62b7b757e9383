import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { DEFAULT_MANIFEST, loadManifest, type Manifest } from "../../services/manifest/index.ts";
import { provisionJetStream, type StartedFleet, startFleet } from "../../services/runtime/index.ts";
import {
  ADMIN,
  connectAdmin,
  discover,
  eventually,
  request,
  sampleAnswer,
  schemaValidators,
  startCluster,
} from "./support/fleet-fixture.ts";

const FLEET_BIN = fileURLToPath(new URL("../../services/bin/fleet.ts", import.meta.url));

let manifest: Manifest;
let cluster: StartedLocalCluster;
let nc: NatsConnection;
let fleet: StartedFleet;

beforeAll(async () => {
  manifest = await loadManifest(DEFAULT_MANIFEST);
  cluster = await startCluster(manifest);
  nc = await connectAdmin(cluster);
  await provisionJetStream(nc, manifest);
  fleet = await startFleet({ manifest, servers: cluster.clientUrls, credentials: ADMIN, mode: "process", log: () => {} });
  await fleet.waitReady(60_000);
});

afterAll(async () => {
  await fleet?.stop();
  await nc?.close();
  await cluster?.stop();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

describe("fleet with one process per replica", () => {
  it("every service answers $SRV.PING with 2 instances, each replica its own live process", async () => {
    const found = await discover(nc, "PING");
    for (const service of manifest.services) expect(found.get(service.name)?.length, service.name).toBe(2);
    const pids = fleet.replicas.map((r) => r.pid as number);
    expect(pids).toHaveLength(44);
    expect(new Set(pids).size).toBe(44);
    expect(pids.every(alive)).toBe(true);
  });

  it("every sample gets a response that validates against its endpoint's JSON Schema", async () => {
    const validators = schemaValidators(manifest);
    const failures: string[] = [];
    for (const endpoint of manifest.services.flatMap((s) => s.endpoints)) {
      for (const sample of endpoint.samples) {
        const answer = await sampleAnswer(nc, endpoint, sample);
        if (answer.code !== undefined) failures.push(`${endpoint.subject}: ${answer.code} ${answer.error}`);
        else if (!validators.get(endpoint.subject)?.(answer.body))
          failures.push(`${endpoint.subject}: invalid ${JSON.stringify(answer.body)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("kill() SIGKILLs one replica: discovery shows one instance and the other keeps answering", async () => {
    const victim = fleet.replicas.find((r) => r.service === "telemetry" && r.index === 0);
    await victim?.kill();
    expect(await victim?.exited).toEqual({ code: null, signal: "SIGKILL" });
    const found = await discover(nc, "PING", "telemetry");
    expect(found.get("telemetry")).toHaveLength(1);
    for (let i = 0; i < 5; i++) expect((await request(nc, "svc.telemetry.ingest", { metric: "fps", value: i })).code).toBeUndefined();
  });

  it("start() brings a killed replica back as a new process: discovery shows 2 instances again", async () => {
    const victim = fleet.replicas.find((r) => r.service === "search" && r.index === 1);
    if (!victim) throw new Error("no search#1 replica");
    const oldPid = victim.pid;
    await victim.kill();
    await victim.exited;
    expect(victim.running).toBe(false);
    await victim.start();
    expect(victim.running).toBe(true);
    expect(victim.pid).not.toBe(oldPid);
    const instances = await eventually(
      async () => (await discover(nc, "PING", "search")).get("search") ?? [],
      (found) => found.length === 2,
      "search to answer with 2 instances again",
    );
    expect(instances).toHaveLength(2);
  });

  it("SIGTERM drains a replica: the request in flight is answered, new ones are not taken, the process exits 0", async () => {
    // The main fleet's ai-integration replicas would take requests too: stop them first.
    await Promise.all(fleet.replicas.filter((r) => r.service === "ai-integration").map((r) => r.stop()));
    await using single = await startFleet({
      manifest,
      servers: cluster.clientUrls,
      credentials: ADMIN,
      mode: "process",
      only: ["ai-integration"],
      replicas: 1,
      log: () => {},
    });
    await single.waitReady(30_000);
    const replica = single.replicas[0];
    const inFlight = request(nc, "svc.ai-integration.infer", { prompt: "drain me", delay_ms: 1_500 }, { timeout: 10_000 });
    await eventually(
      async () => (await discover(nc, "STATS", "ai-integration")).get("ai-integration") ?? [],
      (stats) => stats.some((s) => (s.endpoints as { num_requests: number }[])[0]?.num_requests === 1),
      "the replica to receive the request",
    );
    const stopping = replica?.stop();
    await eventually(
      async () => [...(await discover(nc, "PING", "ai-integration")).keys()],
      (names) => names.length === 0,
      "the replica to leave discovery",
    );
    await expect(request(nc, "svc.ai-integration.infer", { prompt: "too late" }, { timeout: 2_000 })).rejects.toThrow(/no responders/i);
    const answer = await inFlight;
    expect(answer.code).toBeUndefined();
    expect(answer.body).toMatchObject({ model: "story-small" });
    await stopping;
    expect(await replica?.exited).toEqual({ code: 0, signal: null });
  });

  it("a replica process that cannot start fails waitReady with its exit code and its stderr", async () => {
    const broken = structuredClone(manifest);
    const eventBus = broken.services.find((s) => s.name === "event-bus");
    if (eventBus)
      eventBus.streams = [
        { name: "NEVER_PROVISIONED", subjects: ["never.>"], replicas: 3, storage: "file", duplicateWindowMs: 1000, durable: false },
      ];
    await using failing = await startFleet({
      manifest: broken,
      servers: cluster.clientUrls,
      credentials: ADMIN,
      mode: "process",
      only: ["event-bus"],
      replicas: 1,
      log: () => {},
    });
    await expect(failing.waitReady(30_000)).rejects.toThrow(
      /replica event-bus#0 exited with code 1:[\s\S]*stream NEVER_PROVISIONED exist\?/,
    );
  });

  it("SIGKILL of the parent leaves no child: fleet.ts --mode process spawns through setpriv --pdeathsig", async () => {
    const parent = spawn(
      process.execPath,
      [FLEET_BIN, "--mode", "process", "--only", "config,audit", "--servers", cluster.clientUrls.join(",")],
      {
        env: { ...process.env, GAUNTLET_NATS_USER: ADMIN.user, GAUNTLET_NATS_PASS: ADMIN.pass },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const stderr: string[] = [];
    parent.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
    const exited = new Promise((resolve) => parent.on("exit", resolve));
    const lines = createInterface({ input: parent.stdout });
    const ready = await new Promise<{ replicas: { pid: number }[] }>((resolve, reject) => {
      lines.once("line", (line) => resolve(JSON.parse(line)));
      parent.once("exit", () => reject(new Error(`fleet.ts exited before it was ready:\n${stderr.join("")}`)));
    });
    const pids = ready.replicas.map((r) => r.pid);
    expect(pids).toHaveLength(4);
    expect(pids.every(alive)).toBe(true);
    parent.kill("SIGKILL");
    await exited;
    await eventually(
      async () => pids.filter(alive),
      (living) => living.length === 0,
      "the children to die",
      50,
      100,
    );
    expect(pids.filter(alive)).toEqual([]);
  });

  it("Ctrl-C (SIGINT to the harness's process group) reaches only the harness, which stops its replicas and exits 0", async () => {
    const parent = spawn(
      process.execPath,
      [FLEET_BIN, "--mode", "process", "--only", "auth,session", "--servers", cluster.clientUrls.join(",")],
      {
        env: { ...process.env, GAUNTLET_NATS_USER: ADMIN.user, GAUNTLET_NATS_PASS: ADMIN.pass },
        detached: true,
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const exited = new Promise((resolve) => parent.on("exit", (code, signal) => resolve({ code, signal })));
    const line = await new Promise<string>((resolve) => createInterface({ input: parent.stdout }).once("line", resolve));
    const pids = (JSON.parse(line) as { replicas: { pid: number }[] }).replicas.map((r) => r.pid);
    expect(pids).toHaveLength(4);
    process.kill(-(parent.pid as number), "SIGINT");
    expect(await exited).toEqual({ code: 0, signal: null });
    expect(pids.filter(alive)).toEqual([]);
  });

  it("fleet.ts drains and exits 0 on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [FLEET_BIN, "--only", "config", "--replica-index", "0", "--servers", cluster.clientUrls.join(",")],
      {
        env: { ...process.env, GAUNTLET_NATS_USER: ADMIN.user, GAUNTLET_NATS_PASS: ADMIN.pass },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await new Promise((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("fleet.ts refuses bad arguments with exit code 2 and says which", async () => {
    const child = spawn(
      process.execPath,
      [FLEET_BIN, "--servers", cluster.clientUrls[0] as string, "--only", "nope", "--replica-index", "0"],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    expect(code).toBe(2);
    expect(stderr).toContain("--only: no service named nope");
  });
});
