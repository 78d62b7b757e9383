import type { Check } from "./check.ts";
import type { JetStreamSync, ReachableSnapshot, StreamView } from "./node-snapshot.ts";

export interface DurabilityExpectations {
  /** Every node fsyncs each write (`sync_interval: always`); without it a node that does not is a warning. */
  readonly sync?: "always";
  /** Replicas a durable stream needs; without it fewer than 3 is a warning. */
  readonly minReplicas?: number;
  /** Streams that must not lose an acknowledged write (the manifest's `durable: true`). */
  readonly durableStreams?: readonly string[];
}

const RECOMMENDED_REPLICAS = 3;

const RISK = "a power loss of all nodes, or one OS crash plus a partition, can lose acknowledged writes";

/** A node's fsync setting as nats-server's config writes it: `always` or the interval. */
export function syncSetting(sync: JetStreamSync): string {
  return sync.always ? "always" : `${sync.intervalMs / 1000}s`;
}

/** Each node's `sync_interval`, grouped by value: only `always` fsyncs a write before it is acknowledged. */
export function syncCheck(nodes: readonly ReachableSnapshot[], expect: DurabilityExpectations): Check {
  const withJetStream = nodes.filter((node) => node.sync !== undefined);
  if (withJetStream.length === 0) return { name: "JetStream sync", status: "info", detail: "no node runs JetStream" };
  const byValue = new Map<string, string[]>();
  for (const node of withJetStream) {
    const value = syncSetting(node.sync as JetStreamSync);
    byValue.set(value, [...(byValue.get(value) ?? []), node.serverName]);
  }
  const lax = withJetStream.filter((node) => !node.sync?.always);
  if (lax.length === 0)
    return {
      name: "JetStream sync",
      status: "pass",
      detail: `sync_interval always on ${withJetStream.map((n) => n.serverName).join(", ")}`,
    };
  const shown = [...byValue].map(([value, names]) => `sync_interval ${value} on ${names.join(", ")}`).join("; ");
  const expected = expect.sync ? " (expected always)" : "";
  return { name: "JetStream sync", status: expect.sync ? "fail" : "warn", detail: `${shown}${expected}: ${RISK}` };
}

function durabilityProblems(stream: StreamView, minReplicas: number): string[] {
  const problems: string[] = [];
  if (stream.replicas < minReplicas) problems.push(`${stream.name} is durable but R${stream.replicas} (needs R≥${minReplicas})`);
  if (stream.storage === "memory") problems.push(`${stream.name} is durable but on memory storage (lost when its servers restart)`);
  return problems;
}

/** Every stream's replicas and storage; a durable stream on fewer replicas than expected or in memory is named. */
export function streamDurabilityCheck(streams: readonly StreamView[], expect: DurabilityExpectations): Check {
  const durable = new Set(expect.durableStreams ?? []);
  const minReplicas = expect.minReplicas ?? RECOMMENDED_REPLICAS;
  const listed = streams.map((s) => `${s.name} R${s.replicas} ${s.storage}${durable.has(s.name) ? " (durable)" : ""}`).join(", ");
  const found = new Set(streams.map((stream) => stream.name));
  const problems = [
    ...streams.filter((stream) => durable.has(stream.name)).flatMap((stream) => durabilityProblems(stream, minReplicas)),
    ...[...durable].filter((name) => !found.has(name)).map((name) => `${name} is durable but does not exist`),
  ];
  if (problems.length > 0) {
    const strict = expect.sync !== undefined || expect.minReplicas !== undefined;
    return { name: "stream durability", status: strict ? "fail" : "warn", detail: `${problems.join("; ")} — ${listed || "no streams"}` };
  }
  if (streams.length === 0) return { name: "stream durability", status: "info", detail: "no streams" };
  return { name: "stream durability", status: durable.size > 0 ? "pass" : "info", detail: listed };
}
