import type { ClientProfile } from "../../lib/nats-options/index.ts";
import type { ExperimentChecks } from "../checkers/index.ts";
import type { FaultSpec } from "../nemesis/index.ts";

/** Stands for the experiment's own stream in a fault that names one (`kill-stream-leader`, `isolate-stream-leader`). */
export const EXPERIMENT_STREAM = "$experiment";

/** The durable consumer of the experiment's processor (`consumer`): what a consumer fault names. */
export const PROCESSOR_DURABLE = "gauntlet-processor";

/** A fault of the nemesis, or none (a steady-state run). */
export type ExperimentFault = FaultSpec | { readonly kind: "none" };

/** How long each phase lasts and how hard the workloads push; every loop stops at its bound. */
export interface ExperimentTiming {
  /** Workloads run fault-free this long before the fault. */
  readonly quietMs: number;
  /** The fault stays in effect this long (10 s outlasts a Raft election of 4–9 s). */
  readonly faultMs: number;
  /** Workloads keep running this long after the heal. */
  readonly recoveryMs: number;
  /**
   * After the heal, how long the cluster may take to be whole again — formed, a meta group of N
   * peers, every stream replica current — before it is a finding (the cluster and replicas checkers).
   */
  readonly settleMs: number;
  /** One JetStream publish (and one gateway request) is started every this many ms per client: the measurement resolution. */
  readonly intervalMs: number;
  /** Hard cap on operations per client. */
  readonly maxOpsPerClient: number;
  /** Hard cap on the whole experiment, whatever happens (below a suite test's 120 s timeout: the verdict says what was seen). */
  readonly deadlineMs: number;
}

export const DEFAULT_TIMING: ExperimentTiming = {
  quietMs: 2_000,
  faultMs: 10_000,
  recoveryMs: 3_000,
  settleMs: 25_000,
  intervalMs: 20,
  maxOpsPerClient: 5_000,
  deadlineMs: 110_000,
};

/** The stream (and KV bucket) the experiment creates for itself. */
export interface ExperimentStream {
  readonly replicas: number;
  readonly storage: "file" | "memory";
  /** Dedupe window (nats-server: at least 100 ms; 0 = its default of 2 min). */
  readonly duplicateWindowMs: number;
}

/** A request sent through the gateways while the fault runs. */
export interface GatewayCall {
  readonly path: string;
  readonly body: unknown;
  /** How long one request may take before it counts as timed out (default 5 s). */
  readonly timeoutMs?: number;
  /**
   * A JetStream publish through the gateway (`POST /v1/events/{stream}`): each request carries its
   * own Idempotency-Key and counts, with the JetStream publishes, in the queue checker.
   */
  readonly stream?: string;
}

/**
 * A consumer that processes the stream during the experiment. `ack-after-process` is correct;
 * `ack-before-process-crash` acks a batch, then crashes before processing it (once), as a broken
 * consumer would: those messages are acknowledged to JetStream and never processed.
 */
export type ConsumerMode = "ack-after-process" | "ack-before-process-crash";

/** The processor's consumer where JetStream's defaults are not what an experiment needs. */
export interface ConsumerLimits {
  /** How long a delivery may stay unacknowledged before JetStream redelivers it (default 5 s). */
  readonly ackWaitMs?: number;
  /** Unacknowledged deliveries at which JetStream stops delivering (JetStream's default: 1000). */
  readonly maxAckPending?: number;
  /** Deliveries of one message before JetStream gives up on it with a MaxDeliver advisory (default: no limit). */
  readonly maxDeliver?: number;
}

export interface ExperimentSpec {
  /** Unique in a run: names the experiment's processes in the history and its entry in failover.json. */
  readonly name: string;
  readonly fault: ExperimentFault;
  readonly stream?: Partial<ExperimentStream>;
  /**
   * Publish to a stream that exists already (e.g. the fleet's EVENTS, which the gateway's events
   * route reaches) instead of creating one: publishers use `subject`, final reads filter on
   * `filter`, and the stream is left in place.
   */
  readonly existingStream?: { readonly name: string; readonly subject: string; readonly filter: string };
  readonly client?: ClientProfile;
  /** JetStream publishers, each preferring a different node (default 3). 0 = none. */
  readonly publishers?: number;
  /** Publishers connect to this node first (by index in the target's servers), e.g. the one a fault pauses. */
  readonly pinTo?: number;
  /** JetStream publish ack timeout (default 2 s). */
  readonly publishTimeoutMs?: number;
  /** Attempts per message, the same msgID each time (default 5). */
  readonly publishAttempts?: number;
  /** Pause before retrying a publish, times the attempt number (default 25 ms). */
  readonly publishRetryDelayMs?: number;
  /** KV register clients (default 1). 0 = none. */
  readonly kvClients?: number;
  /** Requests through the gateways; none when the target has no gateway or this is false. */
  readonly gateway?: GatewayCall | false;
  /** Instead of final reads by a fresh durable consumer, a consumer processes during the run. */
  readonly consumer?: ConsumerMode;
  /** The processor's consumer settings (with `consumer`). */
  readonly consumerLimits?: ConsumerLimits;
  readonly timing?: Partial<ExperimentTiming>;
  /** How long services and gateways may take to be back after a heal (default 30 s). */
  readonly reconnectBoundMs?: number;
  /**
   * Publish attempts (or gateway requests) spaced wider than this anywhere in the experiment make
   * the verdict warn that its unavailability figures are that coarse (default 50 ms; never a failure).
   */
  readonly resolutionBoundMs?: number;
  /** Assertions beyond every experiment's checkers; recorded in the history, so `gauntlet check` applies them too. */
  readonly checks?: ExperimentChecks;
}

export const DEFAULT_STREAM: ExperimentStream = { replicas: 3, storage: "file", duplicateWindowMs: 120_000 };

function envNumber(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const text = env[key];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${key}=${text}: expected a number of milliseconds (0 or more)`);
  return value;
}

/**
 * Timing from the environment, so a profile picks smoke or nightly lengths:
 * GAUNTLET_FAILOVER_QUIET_MS, _FAULT_MS, _RECOVERY_MS, _SETTLE_MS, _INTERVAL_MS, _MAX_OPS, _DEADLINE_MS.
 */
export function timingFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ExperimentTiming> {
  const pairs: [keyof ExperimentTiming, string][] = [
    ["quietMs", "GAUNTLET_FAILOVER_QUIET_MS"],
    ["faultMs", "GAUNTLET_FAILOVER_FAULT_MS"],
    ["recoveryMs", "GAUNTLET_FAILOVER_RECOVERY_MS"],
    ["settleMs", "GAUNTLET_FAILOVER_SETTLE_MS"],
    ["intervalMs", "GAUNTLET_FAILOVER_INTERVAL_MS"],
    ["maxOpsPerClient", "GAUNTLET_FAILOVER_MAX_OPS"],
    ["deadlineMs", "GAUNTLET_FAILOVER_DEADLINE_MS"],
  ];
  const timing: Partial<Record<keyof ExperimentTiming, number>> = {};
  for (const [field, key] of pairs) {
    const value = envNumber(env, key);
    if (value !== undefined) timing[field] = value;
  }
  return timing;
}
