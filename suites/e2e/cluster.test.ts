import { jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Target } from "../../harness/config/index.ts";
import { assessCluster, snapshotCluster } from "../../harness/probes/index.ts";
import { retry } from "../../lib/retry/index.ts";
import { connectTarget, suiteTarget } from "../support/target.ts";

let target: Target;
const connections: NatsConnection[] = [];

beforeAll(async () => {
  target = await suiteTarget();
});

afterAll(async () => {
  await Promise.all(connections.map((nc) => nc.close()));
});

async function connectTo(servers?: readonly string[]): Promise<NatsConnection> {
  const nc = await connectTarget(target, servers);
  connections.push(nc);
  return nc;
}

describe("NATS cluster", () => {
  it("is formed and healthy as the doctor sees it", async () => {
    const assessment = assessCluster(await snapshotCluster(target.nats.monitoring, { streams: true }), {
      nodes: target.expect.nodes,
      ...(target.expect.maxPayload !== undefined ? { maxPayload: target.expect.maxPayload } : {}),
    });
    const failures = assessment.checks.filter((check) => check.status === "fail").map((check) => `${check.name}: ${check.detail}`);
    if (failures.length > 0) expect.fail(`doctor: ${failures.join("; ")}`);
  });

  it("routes a request from a client on one node to a responder on another", async () => {
    const servers = target.nats.servers;
    const responder = await connectTo([servers[0] as string]);
    const requester = await connectTo([servers[servers.length - 1] as string]);
    const subject = `gauntlet.e2e.echo.${Date.now()}`;
    responder.subscribe(subject, {
      callback: (_error, msg) => {
        msg.respond(msg.data);
      },
    });
    await responder.flush();
    // Interest crosses routes asynchronously: the first requests may find no responder yet.
    const reply = await retry(() => requester.request(subject, "ping", { timeout: 1_000 }), {
      timeoutMs: 10_000,
      intervalMs: 50,
      what: `a reply on ${subject} across the cluster`,
    });
    expect(reply.string()).toBe("ping");
  });

  it("persists a JetStream message on a replicated file stream and reads it back from another node", async () => {
    const servers = target.nats.servers;
    const writer = await connectTo([servers[0] as string]);
    const reader = await connectTo([servers[servers.length - 1] as string]);
    const name = `GAUNTLET_E2E_${Date.now()}`;
    const jsm = await jetstreamManager(writer);
    await jsm.streams.add({ name, subjects: [`${name}.>`], num_replicas: Math.min(3, target.expect.nodes), storage: StorageType.File });
    try {
      // The new stream's subject interest reaches the writer's server asynchronously, as a core
      // subscription's does: until then a publish finds no responders and nothing is stored.
      const ack = await retry(() => jetstream(writer).publish(`${name}.hello`, "persisted", { msgID: "e2e-1" }), {
        timeoutMs: 10_000,
        intervalMs: 50,
        what: `a JetStream ack from the new stream ${name}`,
      });
      expect(ack.duplicate).toBe(false);
      const stored = await (await jetstreamManager(reader)).streams.getMessage(name, { seq: ack.seq });
      expect(stored?.string()).toBe("persisted");
    } finally {
      await jsm.streams.delete(name);
    }
  });
});
