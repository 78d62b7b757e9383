import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { BlastRadiusGuard, guardHandles, nodeFaultProblem, readStreamPlacement } from "../../harness/safety/index.ts";
import { createStream, waitForStreamLeader } from "../nemesis/support/cluster.ts";

describe("blast radius from the real replica placement (5 nodes, an R3 stream)", () => {
  let cluster: StartedLocalCluster;

  beforeAll(async () => {
    cluster = await new LocalCluster().withNodes(5).start();
    await createStream(cluster.clientUrls, "ORDERS", 3);
    await waitForStreamLeader(cluster.monitoringUrls, "ORDERS");
  });

  afterAll(async () => {
    for (const node of cluster?.nodes ?? []) if (!node.running) await node.start();
    await cluster?.stop();
  });

  it("reads each stream's leader and peers through the JetStream API, by node name", async () => {
    const [orders] = (await readStreamPlacement({ servers: cluster.clientUrls }, cluster.nodes)).filter((s) => s.stream === "ORDERS");
    expect(orders?.peers).toHaveLength(3);
    expect(orders?.peers).toContain(orders?.leader);
    for (const peer of orders?.peers ?? []) expect(cluster.nodes.map((node) => node.name)).toContain(peer);
  });

  it("lets a node outside the stream go with a peer already down, and refuses a second peer of the stream", async () => {
    const guard = new BlastRadiusGuard({
      allowQuorumLoss: false,
      placement: () => readStreamPlacement({ servers: cluster.clientUrls }, cluster.nodes),
      assumedReplicas: 3,
      nodes: cluster.nodes.map((node) => node.name),
    });
    const guarded = guardHandles(cluster, guard);
    const placement = await readStreamPlacement({ servers: cluster.clientUrls }, cluster.nodes);
    const peers = placement.find((stream) => stream.stream === "ORDERS")?.peers ?? [];
    const [outside] = cluster.nodes.map((node) => node.name).filter((name) => !peers.includes(name));
    const handle = (name: string | undefined) => guarded.nodes.find((node) => node.name === name);

    await handle(peers[1])?.kill();
    await handle(outside)?.kill();
    await expect(handle(peers[2])?.kill()).rejects.toThrow(
      /blast radius: taking nats-\d down leaves stream ORDERS \(R3 on .*\) with 1 of 3 replicas running; it needs 2/,
    );
    expect(handle(peers[2])?.running).toBe(true);
    await handle(peers[1])?.start();
    await handle(outside)?.start();
    expect(guard.down.size).toBe(0);
  });

  it("counts the peers a stream already reports offline, and an R1 stream loses its only replica", () => {
    const offline = [{ stream: "S", leader: "a", peers: ["a", "b", "c"], offline: ["c"] }];
    expect(nodeFaultProblem(offline, new Set(), ["b"])).toMatch(/S .* with 1 of 3 replicas running/);
    expect(nodeFaultProblem([{ stream: "ONE", leader: "a", peers: ["a"], offline: [] }], new Set(), ["a"])).toMatch(/0 of 1/);
    expect(nodeFaultProblem(offline, new Set(), ["d"])).toBeUndefined();
  });

  it("refuses the last replicas of a service, naming the lever that would permit it, and lets them go when it is set", () => {
    const placement = async () => [];
    const strict = new BlastRadiusGuard({
      allowQuorumLoss: true,
      allowServiceOutage: false,
      serviceOutageLever: "blast_radius.allow_service_outage",
      placement,
      assumedReplicas: 3,
      nodes: [],
    });
    strict.requireReplicaDown("chat", "chat-1", 2);
    strict.replicaDown("chat");
    expect(() => strict.requireReplicaDown("chat", "chat-2", 2)).toThrow(
      "blast radius: stopping chat-2 makes 2 of chat's 2 replicas down (at most 1); refused before acting (blast_radius.allow_service_outage: true to permit)",
    );
    const oneAlreadyDown = new BlastRadiusGuard({ allowQuorumLoss: false, placement, assumedReplicas: 3, nodes: [] });
    expect(() => oneAlreadyDown.requireReplicaDown("chat", "chat-1", 2, 1)).toThrow(/makes 2 of chat's 2 replicas down/);
    const allowing = new BlastRadiusGuard({ allowQuorumLoss: false, allowServiceOutage: true, placement, assumedReplicas: 3, nodes: [] });
    allowing.replicaDown("chat");
    expect(() => allowing.requireReplicaDown("chat", "chat-2", 2)).not.toThrow();
  });
});
