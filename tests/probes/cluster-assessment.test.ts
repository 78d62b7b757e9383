import { describe, expect, it } from "vitest";
import { assessCluster, type NodeSnapshot, type StreamView } from "../../harness/probes/index.ts";

type Reachable = Extract<NodeSnapshot, { reachable: true }>;

function node(name: string, peers: string[], overrides: Partial<Reachable> = {}): Reachable {
  return {
    url: `http://127.0.0.1/${name}`,
    reachable: true,
    serverId: `ID_${name}`,
    serverName: name,
    version: "2.15.2",
    maxPayload: 4 * 1024 * 1024,
    tlsRequired: false,
    tlsVerify: false,
    routesTls: false,
    jetstream: true,
    sync: { always: false, intervalMs: 120_000 },
    metaLeader: "n1",
    metaClusterSize: 3,
    routePeers: peers,
    streams: [],
    ...overrides,
  };
}

const healthy = () => [node("n1", ["n2", "n3"]), node("n2", ["n1", "n3"]), node("n3", ["n1", "n2"])];
const statusOf = (snapshots: NodeSnapshot[], name: string, expect: Parameters<typeof assessCluster>[1] = { nodes: 3 }) =>
  assessCluster(snapshots, expect).checks.find((check) => check.name === name);

describe("cluster assessment", () => {
  it("passes a formed cluster with one meta leader", () => {
    const assessment = assessCluster(healthy(), { nodes: 3, maxPayload: 4 * 1024 * 1024 });
    expect(assessment.healthy).toBe(true);
    expect(assessment.formed).toBe(true);
    expect(assessment.metaLeader).toBe("n1");
    expect(assessment.islands).toEqual([["n1", "n2", "n3"]]);
  });

  it("reports servers that never found each other as islands, naming them", () => {
    const islands = ["n1", "n2", "n3", "n4", "n5"].map((name) => node(name, [], { metaLeader: undefined, metaClusterSize: undefined }));
    const assessment = assessCluster(islands, { nodes: 5 });
    expect(assessment.formed).toBe(false);
    expect(assessment.healthy).toBe(false);
    expect(assessment.islands).toHaveLength(5);
    const formed = assessment.checks.find((check) => check.name === "cluster formed");
    expect(formed?.status).toBe("fail");
    expect(formed?.detail).toContain("5 islands [n1] [n2] [n3] [n4] [n5]");
  });

  it("finds a split into two groups", () => {
    const split = [node("n1", ["n2"]), node("n2", ["n1"]), node("n3", [], { metaLeader: undefined })];
    expect(assessCluster(split, { nodes: 3 }).islands).toEqual([["n1", "n2"], ["n3"]]);
  });

  it("maps route peers named by server id (older servers have no remote_name)", () => {
    const byId = [node("n1", ["ID_n2", "ID_n3"]), node("n2", ["ID_n1", "ID_n3"]), node("n3", ["ID_n1", "ID_n2"])];
    expect(assessCluster(byId, { nodes: 3 }).formed).toBe(true);
  });

  it("fails when nodes disagree on the meta leader", () => {
    const nodes = healthy();
    nodes[2] = node("n3", ["n1", "n2"], { metaLeader: "n3" });
    expect(statusOf(nodes, "JetStream")?.detail).toContain("no single meta leader: n1→n1, n2→n1, n3→n3");
  });

  it("fails when JetStream is off somewhere", () => {
    const nodes = healthy();
    nodes[1] = node("n2", ["n1", "n3"], { jetstream: false });
    expect(statusOf(nodes, "JetStream")).toMatchObject({ status: "fail", detail: "disabled on n2" });
  });

  it("fails when a node is unreachable or missing from the target", () => {
    const nodes: NodeSnapshot[] = [...healthy().slice(0, 2), { url: "http://127.0.0.1:1", reachable: false, error: "ECONNREFUSED" }];
    expect(statusOf(nodes, "nodes reachable")).toMatchObject({ status: "fail" });
    expect(statusOf(healthy(), "nodes reachable", { nodes: 5 })?.detail).toContain("2 expected node(s) not listed");
  });

  it("fails a stream whose replica is behind, as its leader reports it", () => {
    const stream: StreamView = {
      name: "EVENTS",
      replicas: 3,
      storage: "file",
      leader: "n1",
      followers: [
        { name: "n2", current: true, offline: false, lag: 0 },
        { name: "n3", current: false, offline: false, lag: 42 },
      ],
      messages: 10,
      leaderReachable: true,
    };
    const nodes = healthy();
    nodes[0] = node("n1", ["n2", "n3"], { streams: [stream] });
    expect(statusOf(nodes, "streams current")).toMatchObject({ status: "fail", detail: "EVENTS: n3 behind (lag 42)" });
  });

  it("does not trust a follower's view of a stream whose leader is unreachable", () => {
    const followerView: StreamView = {
      name: "EVENTS",
      replicas: 3,
      storage: "file",
      leader: "n9",
      followers: [],
      messages: 0,
      leaderReachable: false,
    };
    const nodes = healthy();
    nodes[1] = node("n2", ["n1", "n3"], { streams: [followerView] });
    expect(statusOf(nodes, "streams current")).toMatchObject({ status: "fail", detail: "EVENTS: leader n9 unreachable" });
  });

  it("checks max_payload and TLS against what is expected", () => {
    const nodes = healthy();
    nodes[1] = node("n2", ["n1", "n3"], { maxPayload: 1024 * 1024 });
    expect(statusOf(nodes, "max_payload", { nodes: 3, maxPayload: 4 * 1024 * 1024 })).toMatchObject({
      status: "fail",
      detail: "expected 4MB: n2 has 1MB",
    });
    expect(statusOf(healthy(), "TLS", { nodes: 3, tls: true })).toMatchObject({ status: "fail", detail: "off (expected on)" });
  });

  it("passes TLS only when every node requires it, and warns when routes still carry messages in plain text", () => {
    const secure = (overrides: Partial<Reachable> = {}) =>
      healthy().map((n) => ({ ...n, tlsRequired: true, tlsVerify: true, routesTls: true, ...overrides }));
    expect(statusOf(secure(), "TLS", { nodes: 3, tls: true })).toEqual({
      name: "TLS",
      status: "pass",
      detail: "on, client certificates verified, routes over TLS (expected on)",
    });
    const oneOpen = secure();
    oneOpen[2] = { ...(oneOpen[2] as Reachable), tlsRequired: false };
    expect(statusOf(oneOpen, "TLS", { nodes: 3, tls: true })).toMatchObject({ status: "fail", detail: /^on for 2\/3 nodes/ });
    expect(statusOf(secure({ routesTls: false, tlsVerify: false }), "TLS", { nodes: 3, tls: true })).toEqual({
      name: "TLS",
      status: "warn",
      detail: "on, routes in plain text on n1, n2, n3 (expected on)",
    });
    expect(statusOf(secure(), "TLS", { nodes: 3, tls: false })).toMatchObject({ status: "fail" });
  });

  it("names each node with its sync_interval, and fails only when the target expects always", () => {
    const nodes = healthy();
    nodes[0] = node("n1", ["n2", "n3"], { sync: { always: true } });
    nodes[2] = node("n3", ["n1", "n2"], { sync: { always: false, intervalMs: 10_000 } });
    const detail = /^sync_interval always on n1; 120s on n2; 10s on n3/;
    expect(statusOf(nodes, "JetStream sync")).toMatchObject({ status: "warn", detail });
    expect(statusOf(nodes, "JetStream sync", { nodes: 3, sync: "always" })).toMatchObject({
      status: "fail",
      detail: /\(expected always\)/,
    });
    const always = healthy().map((n) => ({ ...n, sync: { always: true as const } }));
    expect(statusOf(always, "JetStream sync", { nodes: 3, sync: "always" })).toMatchObject({ status: "pass" });
  });

  it("holds only the streams the manifest marks durable to R≥3 on file storage", () => {
    const stream = (name: string, replicas: number, storage: "file" | "memory"): StreamView => ({
      name,
      replicas,
      storage,
      leader: "n1",
      followers: [],
      messages: 0,
      leaderReachable: true,
    });
    const nodes = healthy();
    nodes[0] = node("n1", ["n2", "n3"], {
      streams: [stream("CACHE", 1, "memory"), stream("EVENTS", 3, "file"), stream("LEDGER", 2, "file")],
    });
    expect(statusOf(nodes, "stream durability")).toMatchObject({
      status: "info",
      detail: "CACHE R1 memory, EVENTS R3 file, LEDGER R2 file",
    });
    const durable = { nodes: 3, durableStreams: ["EVENTS", "LEDGER"] };
    expect(statusOf(nodes, "stream durability", durable)).toMatchObject({
      status: "warn",
      detail: /^LEDGER is durable but R2 \(needs R≥3\) — /,
    });
    expect(statusOf(nodes, "stream durability", { ...durable, minReplicas: 2 })).toMatchObject({
      status: "pass",
      detail: "CACHE R1 memory, EVENTS R3 file (durable), LEDGER R2 file (durable)",
    });
    expect(statusOf(nodes, "stream durability", { ...durable, durableStreams: ["CACHE", "GONE"], minReplicas: 1 })).toMatchObject({
      status: "fail",
      detail: /^CACHE is durable but on memory storage .*; GONE is durable but does not exist — /,
    });
  });
});
