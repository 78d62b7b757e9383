import { Svcm } from "@nats-io/services";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkReconnection } from "../../harness/checkers/index.ts";
import { HistoryRecorder } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { onlyNode, sleep } from "./support/node-faults.ts";

let cluster: StartedLocalCluster;
beforeAll(async () => {
  cluster = await new LocalCluster().withNodes(1).start();
});
afterAll(async () => {
  await cluster?.stop();
});

/** @nats-io/services pins its own nats-core, whose connection type is the same at run time. */
const services = (nc: NatsConnection) => new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]);

const client = (): Promise<NatsConnection> => connect({ servers: cluster.clientUrls, reconnectTimeWait: 50, maxReconnectAttempts: -1 });

async function startInstance(name: string): Promise<NatsConnection> {
  const nc = await client();
  const service = await services(nc).add({ name, version: "1.0.0" });
  service.addEndpoint("echo", (_error, msg) => {
    msg.respond(msg.data);
  });
  return nc;
}

/** `$SRV.PING.<name>`: counts the instances that answer, recorded as a probe. */
async function ping(recorder: HistoryRecorder, probe: NatsConnection, service: string): Promise<number> {
  let instances = 0;
  try {
    for await (const _ of await services(probe).client({ strategy: "stall", maxWait: 2000, stall: 300 }).ping(service)) instances += 1;
  } catch {
    instances = 0; // no responders while the server is away
  }
  recorder.probe("srv-ping", { service, instances });
  return instances;
}

/** Pings (bounded) until both instances of `service` answer. */
async function untilBack(recorder: HistoryRecorder, probe: NatsConnection, service: string): Promise<void> {
  for (let round = 0; round < 60; round++) {
    if ((await ping(recorder, probe, service)) >= 2) return;
    await sleep(50);
  }
}

describe("reconnection checker on a real nats-server restart", () => {
  it("sees micro service replicas come back after the heal, and catches a replica that never does", async () => {
    const recorder = new HistoryRecorder();
    const instances = await Promise.all([
      startInstance("event-bus"),
      startInstance("event-bus"),
      startInstance("state-manager"),
      startInstance("state-manager"),
    ]);
    const probe = await client();
    const node = onlyNode(cluster);
    try {
      await untilBack(recorder, probe, "event-bus");
      await untilBack(recorder, probe, "state-manager");
      recorder.nemesis("start", "restart", { node: node.name });
      await node.stop();
      await instances[3]?.close(); // a state-manager replica dies during the fault and is not restarted
      await node.start();
      recorder.nemesis("stop", "restart", { node: node.name });
      await untilBack(recorder, probe, "event-bus");
      for (let round = 0; round < 3; round++) await ping(recorder, probe, "state-manager");
    } finally {
      await Promise.all([...instances, probe].map((nc) => (nc.isClosed() ? undefined : nc.close())));
    }

    const bound = 10_000_000_000;
    const result = checkReconnection(recorder.entries, { expectedInstances: { "event-bus": 2, "state-manager": 2 }, boundNs: bound });
    expect(result.valid).toBe(false);
    expect(result.reason).toBe("never back: state-manager after restart");
    const [heal] = result.details.heals;
    expect(heal?.targets.find((t) => t.name === "event-bus")?.backAfterNs).toBeGreaterThan(0);
    expect(heal?.targets.find((t) => t.name === "state-manager")?.backAfterNs).toBeNull();

    const eventBusOnly = checkReconnection(recorder.entries, { expectedInstances: { "event-bus": 2 }, boundNs: bound });
    expect(eventBusOnly.valid).toBe(true);
  });
});
