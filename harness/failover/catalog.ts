import { GauntletError } from "../../lib/errors/index.ts";
import { EXPERIMENT_STREAM, type ExperimentSpec, type GatewayCall, PROCESSOR_DURABLE } from "./experiment.ts";
import type { ExperimentTarget } from "./target.ts";

/** What the failover suite knows of its target when it builds an experiment's spec. */
export interface ExperimentContext {
  readonly target: ExperimentTarget;
  /** A plain request through the gateways (a stand-in endpoint without downstream calls), if the fleet has one. */
  readonly gatewayCall: GatewayCall | undefined;
  /** The service that gateway call reaches: the one a replica fault hits. */
  readonly service: string | undefined;
}

/** One experiment run and what the suite expects of it. */
export interface ExperimentCase {
  /** The suite test's title: what a healthy system does. */
  readonly should: string;
  readonly spec: ExperimentSpec | ((context: ExperimentContext) => ExperimentSpec);
  /**
   * `pass` (default): every checker passes. `finding`: a demonstration of a property of the
   * deployment; its test always fails, with the finding as its message.
   */
  readonly expect?: "pass" | "finding";
}

/** What `gauntlet chaos <name>` and a profile's `failover.faults` name: one or more runs. */
export interface ExperimentEntry {
  readonly name: string;
  /** The suite's describe block. */
  readonly title: string;
  readonly cases: readonly ExperimentCase[];
}

const PASS_CLEAN = "loses no acknowledged message, duplicates none, reads no stale KV value, and everything comes back";

const PAUSE_MS = 8_000;
const DISK_FULL_MS = 10_000;

/** The pinned publisher and KV client of a pause, both on the node that will hang. */
const pauseSpec =
  (name: string, client: "production" | "defaults", windowGap: { below?: number; atLeast?: number }) =>
  ({ target }: ExperimentContext): ExperimentSpec => {
    const node = target.nemesis?.nodes[0]?.name;
    return {
      name,
      fault: { kind: "pause-node", ...(node ? { node } : {}) },
      client,
      publishers: 1,
      pinTo: 0,
      kvClients: 1,
      gateway: false,
      checks: { windowGap: { client: "js-pub-0", ...windowGap } },
      // Whatever window a profile sets: a production client notices a hung server after two unanswered 2 s pings, so a shorter pause proves nothing.
      timing: { faultMs: PAUSE_MS },
    };
  };

/** A slow or lossy link on routes or on client connections: everything acknowledged is kept, and the cluster stays whole. */
const linkCase = (name: string, fault: ExperimentSpec["fault"], should: string): ExperimentCase => ({
  should,
  spec: { name, fault },
});

/** Adding an experiment: one entry here. Names and order are what `gauntlet chaos` lists. */
export const EXPERIMENTS: readonly ExperimentEntry[] = [
  {
    name: "bandwidth-limit",
    title: "every node sends at most 1 Mbit/s on its routes",
    cases: [
      linkCase(
        "bandwidth-limit",
        { kind: "bandwidth-limit", links: "routes", rateKbit: 1000 },
        "routes capped at 1 Mbit/s per node: replication queues, nothing acknowledged is lost, the cluster stays formed",
      ),
    ],
  },
  {
    name: "disk-full",
    title: "the stream leader's disk fills up, then is freed",
    cases: [
      {
        // nats-server disables JetStream on the full node; the stream's other replicas elect a leader and carry on.
        should: "refuses what it cannot store (no acknowledged message lost), moves the stream on, and the node rejoins once freed",
        spec: {
          name: "disk-full",
          fault: { kind: "disk-full", stream: EXPERIMENT_STREAM },
          checks: { windowGap: { client: "js-pub-0", below: 1 }, faultErrors: {} },
          // Whatever window a profile sets: the window opens with the disk filling, and the stream's move off the full
          // leader took 0.1 s on an idle machine but over 3.8 s at load average 12 (Docker), so a 3 s window proves nothing.
          timing: { faultMs: DISK_FULL_MS },
        },
      },
    ],
  },
  {
    name: "full-restart",
    title: "full-cluster restart",
    cases: [
      {
        should: "keeps every acknowledged message of an R3 file stream when every node is killed and started again",
        spec: { name: "full-restart", fault: { kind: "full-restart" } },
      },
    ],
  },
  {
    name: "isolate-meta-leader",
    title: "network partition isolating the JetStream meta leader",
    cases: [
      {
        should: "a new meta leader takes over and nothing acknowledged is lost",
        spec: { name: "isolate-meta-leader", fault: { kind: "isolate-meta-leader" } },
      },
    ],
  },
  {
    name: "isolate-stream-leader",
    title: "network partition isolating the stream leader",
    cases: [
      {
        should: "a new stream leader takes over and nothing acknowledged is lost",
        spec: { name: "isolate-stream-leader", fault: { kind: "isolate-stream-leader", stream: EXPERIMENT_STREAM } },
      },
    ],
  },
  {
    name: "kill-gateway-replica",
    title: "kill a gateway replica",
    cases: [
      {
        should: "the other gateway keeps answering and the killed one is ready again after its restart",
        spec: { name: "kill-gateway-replica", fault: { kind: "kill-gateway-replica" }, checks: { required: ["reconnection"] } },
      },
    ],
  },
  {
    name: "kill-node",
    title: "kill -9 a node",
    cases: [{ should: PASS_CLEAN, spec: { name: "kill-node", fault: { kind: "kill-node" } } }],
  },
  {
    name: "kill-service-replica",
    title: "kill a service replica",
    cases: [
      {
        should: "requests through the gateway keep being answered by the other replica, and the killed one rejoins discovery",
        spec: ({ service }) => ({
          name: "kill-service-replica",
          fault: { kind: "kill-service-replica", ...(service ? { replica: `${service}#0` } : {}) },
          checks: { required: ["reconnection"] },
        }),
      },
    ],
  },
  {
    name: "kill-stream-leader",
    title: "kill -9 the leader of the stream",
    cases: [
      {
        should: "the stream elects a new leader and keeps every acknowledged message",
        spec: { name: "kill-stream-leader", fault: { kind: "kill-stream-leader", stream: EXPERIMENT_STREAM } },
      },
    ],
  },
  {
    name: "lossy-link",
    title: "3 % of TCP segments lost on every link",
    cases: [
      linkCase(
        "lossy-link",
        { kind: "lossy-link", links: "routes", loss: 0.03 },
        "routes that lose 3 % of segments: nothing acknowledged is lost, the cluster stays formed",
      ),
      linkCase(
        "lossy-link-clients",
        { kind: "lossy-link", links: "clients", loss: 0.03 },
        "client links that lose 3 % of segments: clients carry on, nothing acknowledged is lost",
      ),
    ],
  },
  {
    name: "partition-minority",
    title: "network partition isolating a minority",
    cases: [
      {
        should: "the majority keeps serving, nothing acknowledged is lost, the minority rejoins",
        spec: { name: "partition-minority", fault: { kind: "partition-minority" } },
      },
    ],
  },
  {
    name: "pause-node",
    title: "pause (SIGSTOP) a node",
    cases: [
      {
        // Back before the pause ended: the ping (2 s × 2) found the hung server, the client moved.
        should: "clients configured for production notice the hung server within seconds and carry on elsewhere",
        spec: pauseSpec("pause-node", "production", { below: 1 }),
      },
      {
        // Nothing succeeded until the node resumed: the default ping would notice only after 2 × 120 s.
        should: "with nats.js defaults (pingInterval 120 s) a client on the hung node is stuck for the whole pause",
        spec: pauseSpec("pause-node-nats-defaults", "defaults", { atLeast: 0.95 }),
      },
    ],
  },
  {
    name: "r1-stream",
    title: "R1 stream while its node is down",
    cases: [
      {
        // An R1 stream has no replica to fail over to: while its node is down, nothing is acknowledged.
        // That is a property of the deployment, reported as a finding, never as a pass: use R3 for
        // anything that must stay available.
        should: "is reported as a finding: no publish acknowledged while the stream's node is down",
        spec: {
          name: "r1-stream-node-down",
          fault: { kind: "kill-stream-leader", stream: EXPERIMENT_STREAM },
          stream: { replicas: 1 },
          kvClients: 0,
          gateway: false,
        },
        expect: "finding",
      },
    ],
  },
  {
    name: "replace-node",
    title: "replace a node by a new one (new server name, empty store), as an Auto Scaling group does",
    cases: [
      {
        should:
          "the old server is removed from the meta group, its stream replicas move to live nodes and catch up, and nothing acknowledged is lost",
        spec: { name: "replace-node", fault: { kind: "replace-node" } },
      },
    ],
  },
  {
    name: "rolling-restart",
    title: "rolling restart of every node",
    cases: [
      {
        should: "keeps every acknowledged message through an upgrade-style restart",
        spec: { name: "rolling-restart", fault: { kind: "rolling-restart", lameDuck: true } },
      },
    ],
  },
  {
    name: "slow-link",
    title: "50 ms ± 20 of latency on every link",
    cases: [
      linkCase(
        "slow-link",
        { kind: "slow-link", links: "routes", delayMs: 50, jitterMs: 20 },
        "routes 50 ms ± 20 slower: replication slows, nothing acknowledged is lost, no leader is lost",
      ),
      linkCase(
        "slow-link-clients",
        { kind: "slow-link", links: "clients", delayMs: 50, jitterMs: 20 },
        "client links 50 ms ± 20 slower: requests take longer and still succeed, nothing acknowledged is lost",
      ),
    ],
  },
  {
    name: "stall-consumer",
    title: "a consumer's processor stops acknowledging until max_ack_pending, then resumes",
    cases: [
      {
        should: "JetStream stops delivering at max_ack_pending and redelivers what was never acknowledged: every message is processed",
        spec: {
          name: "stall-consumer",
          fault: { kind: "stall-consumer", stream: EXPERIMENT_STREAM, consumer: PROCESSOR_DURABLE },
          consumer: "ack-after-process",
          consumerLimits: { maxAckPending: 200 },
        },
      },
    ],
  },
  {
    name: "step-down",
    title: "JetStream leader step-downs under load (three in a row)",
    cases: [
      {
        should: "a new meta leader each time, and nothing acknowledged is lost",
        spec: { name: "step-down-meta", fault: { kind: "step-down", leader: "meta" } },
      },
      {
        should: "a new stream leader each time; publishes in flight are retried, none lost or duplicated",
        spec: { name: "step-down-stream", fault: { kind: "step-down", leader: "stream", stream: EXPERIMENT_STREAM } },
      },
      {
        should: "a new consumer leader each time; the processor carries on and every message is processed",
        spec: {
          name: "step-down-consumer",
          fault: { kind: "step-down", leader: "consumer", stream: EXPERIMENT_STREAM, consumer: PROCESSOR_DURABLE },
          consumer: "ack-after-process",
        },
      },
    ],
  },
  {
    name: "stop-node",
    title: "graceful stop of a node (lame duck)",
    cases: [
      {
        should: "moves clients and leaders away without losing or duplicating a message",
        spec: { name: "stop-node", fault: { kind: "stop-node", lameDuck: true } },
      },
    ],
  },
];

/** The suite file that runs the experiments named in GAUNTLET_EXPERIMENTS (comma-separated). */
export const FAILOVER_SUITE = "suites/failover/experiments.test.ts";
export const EXPERIMENTS_ENV = "GAUNTLET_EXPERIMENTS";

/**
 * The network `gauntlet chaos` starts a local stack with when none is asked for: the proxies when
 * the experiments delay links (the kernel network cannot: no netem) and none partitions, else
 * `auto` (the kernel network where it works).
 */
export function preferredNetwork(names: readonly string[]): "proxy" | "auto" {
  const faults = EXPERIMENTS.filter((entry) => names.includes(entry.name)).flatMap((entry) =>
    entry.cases.map((run) => (typeof run.spec === "function" ? undefined : run.spec.fault.kind)),
  );
  const partitions = faults.some((kind) => kind === undefined || kind.startsWith("isolate") || kind.startsWith("partition"));
  return faults.includes("slow-link") && !partitions ? "proxy" : "auto";
}

export function experimentNames(): string[] {
  return EXPERIMENTS.map((entry) => entry.name);
}

/** A demonstration shows a property of the deployment and always reports it as a finding: it runs by name, never in `all`. */
export function isDemonstration(entry: ExperimentEntry): boolean {
  return entry.cases.some((run) => run.expect === "finding");
}

/**
 * The entries `names` asks for, in the order asked: `all` is every experiment a healthy system
 * passes (demonstrations excluded), other names select themselves; an unknown name is bad input
 * from `source`.
 */
export function selectExperiments(names: readonly string[], source: string): ExperimentEntry[] {
  const known = experimentNames();
  const unknown = names.filter((name) => name !== "all" && !known.includes(name));
  if (unknown.length > 0)
    throw new GauntletError(`${source}: no failover experiment named ${unknown.join(", ")} (known: ${known.join(", ")}, all)`);
  const everyPassing = EXPERIMENTS.filter((entry) => !isDemonstration(entry)).map((entry) => entry.name);
  const asked = new Set(names.flatMap((name) => (name === "all" ? everyPassing : [name])));
  return [...asked].map((name) => EXPERIMENTS.find((entry) => entry.name === name) as ExperimentEntry);
}
