import { connect as tcpConnect } from "node:net";
import { headers, type NatsConnection } from "@nats-io/nats-core";
import { Pool } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENTED_STATUSES, type GatewayManifest, type StartedGateway, startGateway } from "../../gateway/index.ts";
import type { StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { fuzzRequests, RAW_REQUESTS } from "./support/fuzz-cases.ts";
import { connectAs, createEventsStream, startNats, testManifest } from "./support/nats.ts";
import { startResponders } from "./support/responders.ts";
import { type SubjectWatch, watchSubjects } from "./support/subject-watch.ts";

const MAX_PAYLOAD = 16 * 1024;
const REQUESTS = 10_000;
const CONCURRENCY = 16;
const SEED = Number(process.env.GAUNTLET_FUZZ_SEED ?? 0x5eed);
/** What the fuzzer accepts: the documented statuses except 500, which only a gateway bug produces. */
const ALLOWED = new Set(
  Object.keys(DOCUMENTED_STATUSES)
    .map(Number)
    .filter((status) => status !== 500),
);

let cluster: StartedLocalCluster;
let watcher: NatsConnection;
let services: NatsConnection;
let gateway: StartedGateway;
let manifest: GatewayManifest;
let watch: SubjectWatch;

beforeAll(async () => {
  cluster = await startNats({}, MAX_PAYLOAD);
  const url = cluster.clientUrls[0] as string;
  manifest = await testManifest();
  services = await connectAs(url);
  startResponders(services);
  await createEventsStream(services);
  watcher = await connectAs(url);
  watch = watchSubjects(watcher, manifest);
  await watcher.flush();
  gateway = await startGateway({ manifest, servers: url });
});

afterAll(async () => {
  await gateway?.stop();
  await watcher?.close();
  await services?.close();
  await cluster?.stop();
});

describe(`gateway fuzz (seed ${SEED}; replay with GAUNTLET_FUZZ_SEED)`, () => {
  it(`answers ${REQUESTS} malformed requests with documented statuses only, and publishes nothing outside the manifest`, async () => {
    const cases = fuzzRequests(REQUESTS, SEED, MAX_PAYLOAD);
    const pool = new Pool(gateway.url, { connections: CONCURRENCY, pipelining: 1 });
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    let refusedByClient = 0;
    let next = 0;
    const worker = async () => {
      for (let c = cases[next++]; c !== undefined; c = cases[next++]) {
        const what = `${c.kind}: ${c.method} ${c.path.slice(0, 80)}`;
        try {
          const res = await pool.request({
            path: c.path,
            method: c.method,
            headers: c.headers,
            body: c.body,
            headersTimeout: 15_000,
            bodyTimeout: 15_000,
          });
          const text = await res.body.text();
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          if (!ALLOWED.has(res.statusCode)) problems.push(`${what} → ${res.statusCode} ${text.slice(0, 200)}`);
          if (res.statusCode >= 400 && c.method !== "HEAD" && !isErrorBody(text))
            problems.push(`${what} → ${res.statusCode} without the error shape: ${text.slice(0, 200)}`);
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === "UND_ERR_INVALID_ARG") refusedByClient += 1;
          else problems.push(`${what} → ${code ?? ""} ${(error as Error).message}`);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      await pool.close();
    }
    await watcher.flush();
    await services.flush();

    expect(problems.slice(0, 20), `${problems.length} problems`).toEqual([]);
    expect(watch.outside, "messages on subjects outside the manifest and the gateway inbox").toEqual([]);
    expect(watch.smuggled, "headers outside the allowlist reached NATS").toEqual([]);
    for (const status of [200, 202, 400, 404, 409, 413, 431])
      expect(statuses.get(status) ?? 0, `status ${status} reached`).toBeGreaterThan(0);
    expect(refusedByClient, "requests undici refused to send (the generator should only make sendable ones)").toBe(0);
    expect(watch.count).toBeGreaterThan(REQUESTS / 10);
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it("has a watcher that catches a publish outside the manifest and a smuggled Nats-* header", async () => {
    const rogue = await connectAs(cluster.clientUrls[0] as string);
    try {
      const before = { outside: watch.outside.length, smuggled: watch.smuggled.length };
      const hdrs = headers();
      hdrs.set("Nats-Msg-Id", "smuggled");
      rogue.publish("svc.orders.create", "{}", { headers: hdrs });
      rogue.publish("events.order.created", "{}", { headers: hdrs });
      rogue.publish("audit.dump", "");
      await rogue.flush();
      await watcher.flush();
      expect(watch.outside.slice(before.outside)).toEqual(["audit.dump"]);
      expect(watch.smuggled.slice(before.smuggled)).toEqual(["svc.orders.create: Nats-Msg-Id"]);
    } finally {
      await rogue.close();
    }
  });

  it.each(RAW_REQUESTS)(
    "answers raw malformed HTTP ($name) with a documented status or a closed socket",
    async ({ bytes, endAfterWrite }) => {
      const response = await rawExchange(new URL(gateway.url), bytes, endAfterWrite);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
      if (status !== 0) expect(ALLOWED, response.slice(0, 200)).toContain(status);
      expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    },
  );
});

function isErrorBody(text: string): boolean {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    return typeof body.error?.code === "string" && typeof body.error.message === "string";
  } catch {
    return false;
  }
}

function rawExchange(url: URL, bytes: string, endAfterWrite: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = "";
    const socket = tcpConnect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.write(Buffer.from(bytes, "latin1"));
      if (endAfterWrite) socket.end();
    });
    const timer = setTimeout(() => socket.destroy(), 3_000);
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
  });
}
