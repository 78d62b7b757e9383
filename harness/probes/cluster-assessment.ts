import type { Check } from "./check.ts";
import { type DurabilityExpectations, streamDurabilityCheck, syncCheck } from "./durability-assessment.ts";
import type { NodeSnapshot, ReachableSnapshot, StreamReplicaView, StreamView } from "./node-snapshot.ts";

export interface ClusterExpectations extends DurabilityExpectations {
  readonly nodes: number;
  readonly maxPayload?: number;
  readonly tls?: boolean;
}

export interface ClusterAssessment {
  readonly healthy: boolean;
  readonly formed: boolean;
  readonly checks: readonly Check[];
  /** Groups of nodes that can reach each other by routes; one group when the cluster formed. */
  readonly islands: readonly (readonly string[])[];
  readonly metaLeader: string | undefined;
  readonly streams: readonly StreamView[];
}

const reachable = (snapshots: readonly NodeSnapshot[]) => snapshots.filter((s): s is ReachableSnapshot => s.reachable);

/** How a node is named in verdicts: its server name, with its URL when two nodes share a name. */
export function nodeLabels(nodes: readonly ReachableSnapshot[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const node of nodes) counts.set(node.serverName, (counts.get(node.serverName) ?? 0) + 1);
  return new Map(
    nodes.map((node) => [node.serverId, (counts.get(node.serverName) ?? 0) > 1 ? `${node.serverName}@${node.url}` : node.serverName]),
  );
}

/** Connected components of the route graph (route peers are named by server name, or by id on old servers). */
export function findIslands(nodes: readonly ReachableSnapshot[]): string[][] {
  const labels = nodeLabels(nodes);
  const idOf = new Map(nodes.flatMap((node) => [[node.serverId, node.serverId] as const, [node.serverName, node.serverId] as const]));
  const neighbours = new Map(nodes.map((node) => [node.serverId, new Set<string>()]));
  for (const node of nodes) {
    for (const peer of node.routePeers) {
      const id = idOf.get(peer);
      if (!id || id === node.serverId) continue;
      neighbours.get(node.serverId)?.add(id);
      neighbours.get(id)?.add(node.serverId);
    }
  }
  const seen = new Set<string>();
  const islands: string[][] = [];
  for (const start of neighbours.keys()) {
    if (seen.has(start)) continue;
    const island: string[] = [];
    const queue = [start];
    seen.add(start);
    while (queue.length > 0) {
      const id = queue.shift() as string;
      island.push(labels.get(id) ?? id);
      for (const next of neighbours.get(id) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    islands.push(island.sort());
  }
  return islands.sort((a, b) => b.length - a.length || (a[0] ?? "").localeCompare(b[0] ?? ""));
}

/**
 * Each stream as its leader reports it: followers' currency is only known there. Where the
 * leader cannot be reached, a follower's view stands in and `leaderReachable` says so.
 */
export function streamsFromLeaders(nodes: readonly ReachableSnapshot[]): StreamView[] {
  const byName = new Map<string, StreamView>();
  for (const node of nodes) {
    for (const stream of node.streams) {
      const fromLeader = stream.leader === node.serverName || stream.replicas === 1;
      if (fromLeader || !byName.has(stream.name)) byName.set(stream.name, { ...stream, leaderReachable: fromLeader });
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)}MB` : `${bytes}B`;
}

function reachabilityCheck(snapshots: readonly NodeSnapshot[], expect: ClusterExpectations): Check {
  const down = snapshots.filter((s) => !s.reachable);
  const missing = expect.nodes - snapshots.length;
  if (down.length === 0 && missing <= 0)
    return { name: "nodes reachable", status: "pass", detail: `${snapshots.length}/${expect.nodes} reachable` };
  const parts = down.map((s) => (s.reachable ? s.url : `${s.url} (${s.error})`));
  if (missing > 0) parts.push(`${missing} expected node(s) not listed in the target`);
  return {
    name: "nodes reachable",
    status: "fail",
    detail: `${snapshots.length - down.length}/${expect.nodes} reachable; ${parts.join("; ")}`,
  };
}

function formationCheck(nodes: readonly ReachableSnapshot[], islands: string[][], expect: ClusterExpectations): Check {
  const short = nodes.filter((node) => node.routePeers.length < expect.nodes - 1);
  if (islands.length === 1 && islands[0]?.length === expect.nodes && short.length === 0) {
    return { name: "cluster formed", status: "pass", detail: `${expect.nodes} nodes, each routed to ${expect.nodes - 1} peers` };
  }
  if (islands.length > 1) {
    const shown = islands.map((island) => `[${island.join(", ")}]`).join(" ");
    return {
      name: "cluster formed",
      status: "fail",
      detail: `not formed: ${islands.length} islands ${shown} — these groups never found each other (check cluster routes / discovery)`,
    };
  }
  const labels = nodeLabels(nodes);
  const detail = short.map((n) => `${labels.get(n.serverId)} has ${n.routePeers.length}/${expect.nodes - 1} peers`).join(", ");
  return {
    name: "cluster formed",
    status: "fail",
    detail: `not formed: ${detail || `${islands[0]?.length ?? 0}/${expect.nodes} nodes routed`}`,
  };
}

function jetStreamCheck(nodes: readonly ReachableSnapshot[], expect: ClusterExpectations): { check: Check; leader: string | undefined } {
  const disabled = nodes.filter((node) => !node.jetstream);
  if (disabled.length > 0) {
    return {
      check: { name: "JetStream", status: "fail", detail: `disabled on ${disabled.map((n) => n.serverName).join(", ")}` },
      leader: undefined,
    };
  }
  // A standalone server (no cluster block) runs JetStream without a meta group: it leads itself.
  const standalone = expect.nodes === 1 && nodes.length === 1 && nodes[0]?.metaLeader === undefined;
  const leaderOf = (node: ReachableSnapshot) => node.metaLeader ?? (standalone ? node.serverName : "(none)");
  const leaders = new Set(nodes.map(leaderOf));
  const [leader] = leaders;
  if (leaders.size !== 1 || leader === "(none)" || leader === undefined) {
    const labels = nodeLabels(nodes);
    const views = nodes.map((node) => `${labels.get(node.serverId)}→${node.metaLeader ?? "none"}`).join(", ");
    return { check: { name: "JetStream", status: "fail", detail: `no single meta leader: ${views}` }, leader: undefined };
  }
  const sizes = nodes.filter((node) => node.metaClusterSize !== expect.nodes && !standalone);
  if (sizes.length > 0) {
    const views = sizes.map((node) => `${node.serverName} sees ${node.metaClusterSize ?? "?"}`).join(", ");
    return { check: { name: "JetStream", status: "fail", detail: `meta cluster size is not ${expect.nodes}: ${views}` }, leader };
  }
  return { check: { name: "JetStream", status: "pass", detail: `enabled on all ${nodes.length}, meta leader ${leader}` }, leader };
}

function streamsCheck(streams: readonly StreamView[], reachableNames: ReadonlySet<string>, allReachable: boolean): Check {
  if (streams.length === 0) return { name: "streams current", status: "info", detail: "no streams" };
  // A leader keeps calling a just-killed follower current for a few seconds; a replica on a node
  // whose monitoring port is down is not.
  const unreachable = (name: string) => !allReachable && !reachableNames.has(name);
  const problems = streams.flatMap((stream) => {
    if (stream.replicas > 1 && !stream.leader) return [`${stream.name}: no leader`];
    if (!stream.leaderReachable) return [`${stream.name}: leader ${stream.leader} unreachable`];
    const behind = stream.followers.filter((f) => !f.current || f.offline || unreachable(f.name));
    const state = (f: StreamReplicaView) => (unreachable(f.name) ? "unreachable" : f.offline ? "offline" : `behind (lag ${f.lag})`);
    return behind.length > 0 ? [`${stream.name}: ${behind.map((f) => `${f.name} ${state(f)}`).join(", ")}`] : [];
  });
  if (problems.length > 0) return { name: "streams current", status: "fail", detail: problems.join("; ") };
  return { name: "streams current", status: "pass", detail: `${streams.length} stream(s), every replica current` };
}

function maxPayloadCheck(nodes: readonly ReachableSnapshot[], expect: ClusterExpectations): Check {
  const values = [...new Set(nodes.map((node) => node.maxPayload))];
  const shown = values.map(formatBytes).join(", ");
  if (expect.maxPayload === undefined) return { name: "max_payload", status: values.length > 1 ? "warn" : "info", detail: shown };
  const wrong = nodes.filter((node) => node.maxPayload !== expect.maxPayload);
  if (wrong.length === 0) return { name: "max_payload", status: "pass", detail: shown };
  const detail = `expected ${formatBytes(expect.maxPayload)}: ${wrong.map((n) => `${n.serverName} has ${formatBytes(n.maxPayload)}`).join(", ")}`;
  return { name: "max_payload", status: "fail", detail };
}

function tlsCheck(nodes: readonly ReachableSnapshot[], expect: ClusterExpectations): Check {
  const on = nodes.filter((node) => node.tlsRequired).length;
  const plainRoutes = nodes.filter((node) => node.routePeers.length > 0 && !node.routesTls).map((node) => node.serverName);
  const state = on === 0 ? "off" : `${on === nodes.length ? "on" : `on for ${on}/${nodes.length} nodes`}${tlsDetail(nodes, plainRoutes)}`;
  if (expect.tls === undefined) return { name: "TLS", status: on === 0 || on === nodes.length ? "info" : "warn", detail: state };
  const ok = expect.tls ? on === nodes.length : on === 0;
  // Client TLS with routes in plain text still carries every message between servers unencrypted.
  const status = !ok ? "fail" : expect.tls && plainRoutes.length > 0 ? "warn" : "pass";
  return { name: "TLS", status, detail: `${state} (expected ${expect.tls ? "on" : "off"})` };
}

function tlsDetail(nodes: readonly ReachableSnapshot[], plainRoutes: readonly string[]): string {
  const parts = nodes.every((node) => node.tlsVerify) ? ["client certificates verified"] : [];
  if (nodes.some((node) => node.routePeers.length > 0))
    parts.push(plainRoutes.length === 0 ? "routes over TLS" : `routes in plain text on ${plainRoutes.join(", ")}`);
  return parts.length > 0 ? `, ${parts.join(", ")}` : "";
}

/** The doctor's verdict: a pure function of what every node's monitoring port reported. */
export function assessCluster(snapshots: readonly NodeSnapshot[], expect: ClusterExpectations): ClusterAssessment {
  const nodes = reachable(snapshots);
  const islands = findIslands(nodes);
  const formation = formationCheck(nodes, islands, expect);
  const { check: jetstream, leader } = jetStreamCheck(nodes, expect);
  const streams = streamsFromLeaders(nodes);
  const checks = [
    reachabilityCheck(snapshots, expect),
    formation,
    jetstream,
    streamsCheck(
      streams,
      new Set(nodes.map((node) => node.serverName)),
      nodes.length === expect.nodes && nodes.length === snapshots.length,
    ),
    maxPayloadCheck(nodes, expect),
    tlsCheck(nodes, expect),
    syncCheck(nodes, expect),
    streamDurabilityCheck(streams, expect),
  ];
  return {
    healthy: checks.every((check) => check.status !== "fail"),
    formed: checks[0]?.status === "pass" && formation.status === "pass" && jetstream.status === "pass",
    checks,
    islands,
    metaLeader: leader,
    streams,
  };
}

/** One line of formation progress: how far the routes and the meta leader election have got. */
export function formationProgressLine(assessment: ClusterAssessment, expected: number): string {
  const largest = assessment.islands[0]?.length ?? 0;
  return `routes: largest group ${largest}/${expected}; meta leader: ${assessment.metaLeader ?? "electing"}`;
}
