import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { connect as connectTcp } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTarget, type Target } from "../../../harness/config/index.ts";
import { fetchTrusting } from "../../../harness/net/trusted-fetch.ts";
import { discoverServiceInstances } from "../../../harness/probes/index.ts";
import { leftoverResources } from "../../../harness/providers/docker/index.ts";
import { GameDayJournal } from "../../../harness/record/index.ts";
import { natsConnectionOptions } from "../../../lib/nats-options/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { gauntlet, gauntletUp, type UpReady } from "../../support/cli.ts";
import { holdDockerEngine } from "../../support/docker-engine.ts";

/**
 * One small Docker stack with TLS for the file (3 nodes, 1 gateway): what TLS refuses, the e2e suite
 * over TLS, and the redeploy game day (redeploy-services on Docker) against it. docker-stack.test.ts
 * covers the plain-text stack with failover and load.
 */
const unavailable = await holdDockerEngine();
const dir = mkdtempSync(join(tmpdir(), "gauntlet-docker-tls-"));
let ready: UpReady | undefined;
let target: Target;

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => "connected",
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );

/** What a client that speaks plain NATS gets: the server's INFO, then (its CONNECT not being a TLS handshake) a closed socket. */
function plainTextClient(url: string): Promise<{ info: string; answer: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connectTcp(Number(port), hostname);
    let received = "";
    let info = "";
    socket.setTimeout(10_000, () => socket.destroy(new Error("no answer in 10 s")));
    socket.on("data", (chunk) => {
      received += chunk.toString();
      if (!info && received.includes("\r\n")) {
        info = received.slice(0, received.indexOf("\r\n"));
        received = "";
        socket.write('CONNECT {"verbose":false,"pedantic":false,"tls_required":false}\r\nPING\r\n');
      }
    });
    socket.on("close", () => resolve({ info, answer: received }));
    socket.on("error", (error: NodeJS.ErrnoException) => (error.code === "ECONNRESET" ? undefined : reject(error)));
  });
}

/** The instance ids of these services, once all of their replicas (two each) answer discovery. */
async function instanceIds(services: readonly string[]): Promise<string[]> {
  const nc: NatsConnection = await connect(natsConnectionOptions(target.nats, { name: "docker-tls-test" }));
  try {
    return await waitUntil(
      async () => {
        const ids = (await discoverServiceInstances(nc))
          .filter((instance) => services.includes(instance.name))
          .map((instance) => instance.id);
        return ids.length === services.length * 2 ? ids : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: `two instances each of ${services.join(", ")}` },
    );
  } finally {
    await nc.close();
  }
}

describe.skipIf(unavailable !== undefined)(`gauntlet up --provider docker --tls${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  beforeAll(async () => {
    ({ ready } = await gauntletUp(["--provider", "docker", "--tls", "--nodes", "3", "--gateways", "1"]));
    target = await loadTarget(ready.target);
  }, 120_000);

  afterAll(async () => {
    if (ready) {
      const stack = ready;
      await gauntlet(["down", "--stack", stack.id]);
      await waitUntil(
        async () => {
          const left = await leftoverResources(stack.id);
          return left.containers.length + left.networks.length === 0 ? true : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 200, what: `nothing left of docker stack ${stack.id}` },
      );
    }
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("describes its stack as TLS in the target file: tls:// servers on loopback, an https gateway, the run's CA", () => {
    expect(target.nats.servers.every((url) => /^tls:\/\/127\.0\.0\.1:\d+$/.test(url))).toBe(true);
    expect(target.gateway?.urls.every((url) => url.startsWith("https://127.0.0.1:"))).toBe(true);
    const tls = target.nats.tls;
    for (const file of [tls?.ca, tls?.cert, tls?.key]) expect(file?.startsWith(join((ready as UpReady).dir, "tls"))).toBe(true);
    expect(target.gateway?.tls?.ca).toBe(tls?.ca);
  });

  it("refuses a plain-text client, a client without the run's CA or without a client certificate, and plain HTTP", async () => {
    const url = target.nats.servers[0] as string;
    const plain = await plainTextClient(url);
    expect(plain.info).toMatch(/^INFO .*"tls_required":true/);
    expect(plain.answer).not.toContain("PONG");

    const { user, pass, tls } = target.nats;
    const servers = [...target.nats.servers];
    const attempt = (options: object) =>
      refusal(connect({ servers, user, pass, timeout: 5_000, reconnect: false, ...options }).then((nc) => nc.close()));
    expect(await attempt({ tls: { caFile: tls?.ca, certFile: tls?.cert, keyFile: tls?.key } })).toBe("connected");
    expect(await attempt({})).toMatch(/unable to verify the first certificate/);
    expect(await attempt({ tls: { caFile: tls?.ca } })).toMatch(/certificate required|ECONNRESET/);

    const gateway = target.gateway?.urls[0] as string;
    expect(await refusal(fetch(gateway.replace("https:", "http:")))).toMatch(/fetch failed/);
    expect((await fetchTrusting(tls?.ca)(`${gateway}/readyz`)).status).toBe(200);
  });

  it("passes the e2e suite over HTTPS and NATS with TLS, routes between the containers over TLS", { timeout: 240_000 }, async () => {
    const doctor = await gauntlet(["doctor", "--target", (ready as UpReady).target]);
    expect(doctor.stdout).toMatch(/TLS\s+✔ pass\s+on, client certificates verified, routes over TLS \(expected on\)/);
    expect(doctor.code, doctor.stdout).toBe(0);

    const profile = join(dir, "e2e.yaml");
    writeFileSync(profile, "extends: smoke\nfailover:\n  enabled: false\nload:\n  enabled: false\n");
    const runsDir = join(dir, "runs");
    const run = await gauntlet(["run", "--target", (ready as UpReady).target, "--profile", profile, "--runs-dir", runsDir], {
      timeoutMs: 220_000,
    });
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const summary = JSON.parse(readFileSync(join(realpathSync(join(runsDir, "latest")), "summary.json"), "utf8"));
    expect(summary.suites.map((suite: { name: string; verdict: string }) => [suite.name, suite.verdict])).toEqual([["e2e", "pass"]]);
    expect(summary.suites[0].tests.length).toBeGreaterThanOrEqual(60);
  });

  it("holds redeploy-services-under-load: each replica stopped and started through the co-hosted fleet's control port", {
    timeout: 180_000,
  }, async () => {
    const services = ["event-bus", "state-manager"];
    const before = await instanceIds(services);
    const file = join(dir, "redeploy-two.yaml");
    writeFileSync(
      file,
      readFileSync("gameday/redeploy-services-under-load.yaml", "utf8").replace('service: "*"\n', `service: "${services.join(",")}"\n`),
    );
    const runsDir = join(dir, "gameday-runs");
    const result = await gauntlet(
      ["gameday", "run", file, "--target", (ready as UpReady).target, "--runs-dir", runsDir, "--yes", "--duration-scale", "0.4"],
      { timeoutMs: 170_000 },
    );
    expect(result.stdout, result.stderr.slice(-3000)).toContain("HELD");
    expect(result.code).toBe(0);
    const runDir = /run record (\S+) \(journal/.exec(result.stdout)?.[1] ?? "";
    const journal = GameDayJournal.parse(JSON.parse(readFileSync(join(runDir, "journal.json"), "utf8")));
    expect(journal.events.find((event) => event.type === "fault")).toMatchObject({
      fault: "redeploy-services",
      target: { services: ["state-manager", "event-bus"], replicas: 4 },
    });
    // Redeployed: every instance answering now is a new one.
    const after = await instanceIds(services);
    expect(after.filter((id) => before.includes(id))).toEqual([]);
  });
});
