import { randomBytes } from "node:crypto";
import { jetstream, jetstreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection, nanos } from "@nats-io/transport-node";
import { retry } from "../../lib/retry/index.ts";
import { type ExperimentMeta, type ExperimentVerdict, judgeExperiment, REPLICA_EVIDENCE_F } from "../checkers/index.ts";
import { type HistoryEntry, HistoryRecorder, mergeHistories, NEMESIS_PROCESS, PROBE, PROBE_PROCESS } from "../history/index.ts";
import { type FaultSpec, Nemesis, waitForHealthy } from "../nemesis/index.ts";
import {
  DEFAULT_STREAM,
  DEFAULT_TIMING,
  EXPERIMENT_STREAM,
  type ExperimentSpec,
  type ExperimentStream,
  type ExperimentTiming,
  PROCESSOR_DURABLE,
  timingFromEnv,
} from "./experiment.ts";
import { sleep } from "./pacing.ts";
import { ProcessorStall } from "./processor-stall.ts";
import { collectReplicaEvidence, snapshotNodes, unreadSequences } from "./replica-evidence.ts";
import { clientOptions, type ExperimentTarget } from "./target.ts";
import { type WorkloadPlacement, WorkloadRunner, workloadPlacementFromEnv } from "./workload-runner.ts";
import { finalReads, watchMaxDeliveries } from "./workloads.ts";

export interface ExperimentResult {
  readonly spec: ExperimentSpec;
  readonly verdict: ExperimentVerdict;
  /** The experiment's history as written to history.jsonl: processes `experiment/client`, nemesis and probe values carry `experiment`. */
  readonly history: readonly HistoryEntry[];
  /** Wall clock (ms since epoch) of the history's time 0. */
  readonly startedAtMs: number;
  readonly durationMs: number;
  /**
   * Every node's `/jsz` (streams, config, Raft) and `/routez` before the fault, while it holds,
   * after the heal and after the final reads (by phase): the run record keeps them as evidence.
   */
  readonly snapshots: Readonly<Record<string, unknown>>;
}

export interface RunExperimentOptions {
  readonly signal?: AbortSignal | undefined;
  readonly seed?: number;
  readonly onProgress?: (message: string) => void;
  /** Where the workloads and probes run (default: GAUNTLET_FAILOVER_WORKLOADS, else a process of their own). */
  readonly workloads?: WorkloadPlacement;
}

/** Attempts spaced wider than this make the verdict warn that its unavailability figures are coarse. */
const DEFAULT_RESOLUTION_BOUND_MS = 50;

const STREAM_FAULTS = new Set(["kill-stream-leader", "isolate-stream-leader", "step-down", "stall-consumer", "disk-full"]);

function resolveFault(fault: FaultSpec, stream: string): FaultSpec {
  if (STREAM_FAULTS.has(fault.kind) && "stream" in fault && fault.stream === EXPERIMENT_STREAM) return { ...fault, stream } as FaultSpec;
  return fault;
}

function tag(entries: readonly HistoryEntry[], experiment: string): HistoryEntry[] {
  return entries.map((entry) => {
    if (entry.process !== NEMESIS_PROCESS && entry.process !== PROBE_PROCESS) return entry;
    const value = (entry.value ?? {}) as Record<string, unknown>;
    return { ...entry, value: { ...value, experiment } };
  });
}

/**
 * Runs one experiment: creates a stream and KV bucket of its own, starts the workloads (JetStream
 * publishers, KV register clients, gateway requests, a processor when asked) and the reconnection
 * probes, lets them run quiet, injects the fault, holds it, heals, lets them recover, then does the
 * final reads and judges the recorded history. Always heals, also on failure or abort; every loop
 * is bounded by count and by `timing.deadlineMs`.
 */
export async function runExperiment(
  target: ExperimentTarget,
  spec: ExperimentSpec,
  options: RunExperimentOptions = {},
): Promise<ExperimentResult> {
  if (spec.name.includes("/")) throw new Error(`experiment "${spec.name}": a name may not contain "/"`);
  const timing: ExperimentTiming = { ...DEFAULT_TIMING, ...timingFromEnv(), ...spec.timing };
  const stream: ExperimentStream = { ...DEFAULT_STREAM, ...spec.stream };
  const progress = options.onProgress ?? (() => {});
  const id = `${spec.name.replace(/[^A-Za-z0-9_-]/g, "_")}_${randomBytes(3).toString("hex")}`;
  const existing = spec.existingStream;
  const streamName = existing?.name ?? `FAILOVER_${id}`.toUpperCase();
  const subject = existing?.subject ?? `gauntlet.failover.${id}.m`;
  const durable = `gauntlet-final-${id}`;
  const bucket = `failover_${id}`;
  const fault = spec.fault.kind === "none" ? spec.fault : resolveFault(spec.fault, streamName);
  const deadline = AbortSignal.timeout(timing.deadlineMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const startedAtMs = Date.now();
  const history = new HistoryRecorder();
  const stall = spec.consumer ? new ProcessorStall(streamName, PROCESSOR_DURABLE) : undefined;
  const nemesis = target.nemesis
    ? new Nemesis(target.nemesis, {
        history,
        seed: options.seed ?? 1,
        onProgress: progress,
        signal,
        nats: target.access,
        consumers: stall ? [stall] : [],
      })
    : undefined;

  let notRun: string | undefined;
  if (fault.kind !== "none") {
    if (!nemesis) notRun = target.unfaultable ?? `${target.name}: cannot inject faults`;
    else notRun = nemesis.unsupported(fault);
  }
  const gatewayStream = spec.gateway ? spec.gateway.stream : undefined;
  const meta: ExperimentMeta = {
    experiment: spec.name,
    fault: fault.kind,
    stream: streamName,
    replicas: stream.replicas,
    storage: stream.storage,
    expectedInstances: target.expectedInstances,
    reconnectBoundNs: (spec.reconnectBoundMs ?? 30_000) * 1e6,
    // A healed node rejoining can start one more Raft election (4–9 s): failures that soon after the heal are still the fault's.
    graceNs: 10e9,
    resolutionBoundNs: (spec.resolutionBoundMs ?? DEFAULT_RESOLUTION_BOUND_MS) * 1e6,
    ...(target.networkKind ? { network: target.networkKind } : {}),
    ...(gatewayStream ? { gatewayStream } : {}),
    ...(spec.consumer ? { consumer: PROCESSOR_DURABLE } : {}),
    ...(spec.checks ? { checks: spec.checks } : {}),
    ...(notRun ? { notRun } : {}),
  };
  history.probe(PROBE.experiment, meta);
  const snapshots: Record<string, unknown> = {};
  const snapshot = async (phase: string) => {
    snapshots[phase] = await snapshotNodes(target.monitoringUrls);
  };
  let workloads: WorkloadRunner | undefined;
  const recorded = () => (workloads ? mergeHistories(history.entries, workloads.entries) : [...history.entries]);
  const finish = (): ExperimentResult => {
    const entries = tag(recorded(), spec.name);
    return { spec, verdict: judgeExperiment(entries), history: entries, startedAtMs, durationMs: Date.now() - startedAtMs, snapshots };
  };
  if (notRun) return finish();

  const admin: NatsConnection = await connect(clientOptions(target, "production", target.servers, "gauntlet-failover-admin"));
  const connections: NatsConnection[] = [admin];
  const abortAll = () => workloads?.stopWorkloads();
  signal.addEventListener("abort", abortAll, { once: true });
  const healthy = async (timeoutMs: number) => {
    if (!nemesis) return;
    try {
      await waitForHealthy(nemesis.target, { timeoutMs, signal });
      history.probe(PROBE.clusterHealthy, { healthy: true });
    } catch (error) {
      history.probe(PROBE.clusterHealthy, { healthy: false, detail: (error as Error).message.slice(0, 500) });
    }
  };
  let faultError: unknown;
  try {
    const jsm = await jetstreamManager(admin, { timeout: 5_000 });
    if (!existing)
      await retry(
        () =>
          jsm.streams.add({
            name: streamName,
            subjects: [`gauntlet.failover.${id}.>`],
            num_replicas: stream.replicas,
            storage: stream.storage === "memory" ? StorageType.Memory : StorageType.File,
            retention: RetentionPolicy.Limits,
            duplicate_window: nanos(stream.duplicateWindowMs),
          }),
        { what: `create stream ${streamName}`, attempts: 20, intervalMs: 500, signal },
      );
    const kvClients = spec.kvClients ?? 1;
    if (kvClients > 0) {
      await retry(
        () =>
          new Kvm(jetstream(admin, { timeout: 5_000 })).create(bucket, {
            replicas: stream.replicas,
            storage: stream.storage === "memory" ? StorageType.Memory : StorageType.File,
          }),
        { what: `create KV bucket ${bucket}`, attempts: 20, intervalMs: 500, signal },
      );
    }
    progress(`${spec.name}: stream ${streamName} R${stream.replicas} ${stream.storage}`);

    const publishers = spec.publishers ?? 3;
    if (spec.consumer) watchMaxDeliveries(history, admin, streamName, PROCESSOR_DURABLE);
    workloads = await WorkloadRunner.start(
      {
        target: {
          servers: target.servers,
          access: target.access,
          gatewayUrls: target.gatewayUrls,
          gatewayCa: target.gatewayCa,
          expectedInstances: target.expectedInstances,
        },
        client: spec.client ?? "production",
        prefix: `${spec.name}/`,
        idPrefix: id.slice(-6),
        intervalMs: timing.intervalMs,
        maxOps: timing.maxOpsPerClient,
        publishers: {
          count: publishers,
          pinTo: spec.pinTo ?? 0,
          options: {
            stream: streamName,
            subject,
            timeoutMs: spec.publishTimeoutMs ?? 2_000,
            attempts: spec.publishAttempts ?? 5,
            retryDelayMs: spec.publishRetryDelayMs ?? 25,
            maxInFlight: 200,
          },
        },
        kv: { clients: kvClients, bucket, timeoutMs: 2_000 },
        gateway: spec.gateway || undefined,
        consumer: spec.consumer ? { stream: streamName, mode: spec.consumer, limits: spec.consumerLimits } : undefined,
        probeIntervalMs: 250,
      },
      { startNs: history.startNs, placement: options.workloads ?? workloadPlacementFromEnv(), stall },
    );
    if (signal.aborted) workloads.stopWorkloads();

    await sleep(timing.quietMs, signal);
    try {
      if (!signal.aborted && fault.kind !== "none" && nemesis) {
        await snapshot("before");
        history.probe(PROBE.inject, { fault: fault.kind });
        const injectedAt = Date.now();
        const active = await nemesis.inject(fault);
        if (!nemesis.holdsItself(fault.kind)) {
          await sleep(timing.faultMs / 2, signal);
          await snapshot("during");
          await sleep(Math.max(0, timing.faultMs - (Date.now() - injectedAt)), signal);
        }
        history.probe(PROBE.heal, { fault: fault.kind });
        await nemesis.heal(active);
        await snapshot("after-heal");
      }
    } catch (error) {
      faultError = error;
    } finally {
      await nemesis?.healAll().catch((error: unknown) => {
        faultError ??= error;
      });
    }
    if (nemesis && fault.kind !== "none") await healthy(timing.settleMs);
    await sleep(timing.recoveryMs, signal);
    await workloads.finish();
    if (faultError) throw faultError;
    if (!spec.consumer && publishers > 0) {
      const reader = await connect(clientOptions(target, "production", target.servers, "gauntlet-failover-reader"));
      connections.push(reader);
      await finalReads(history, reader, streamName, `${spec.name}/final-reader`, 30_000, {
        filter: existing?.filter,
        durable,
        replicasTimeoutMs: timing.settleMs,
      });
      // Before anything unread is called lost, where it is: each replica's state and the leader's copy.
      const unread = unreadSequences(recorded(), streamName, ["publish"]);
      const evidence = await collectReplicaEvidence(
        await jetstreamManager(reader, { timeout: 5_000 }),
        target.monitoringUrls,
        streamName,
        unread,
      );
      history.probe(REPLICA_EVIDENCE_F, evidence);
      if (fault.kind !== "none") await snapshot("final");
    }
  } finally {
    signal.removeEventListener("abort", abortAll);
    await workloads?.close();
    await nemesis?.healAll().catch(() => {});
    try {
      const jsm = await jetstreamManager(admin, { timeout: 5_000 });
      if (existing) await jsm.consumers.delete(streamName, durable).catch(() => {});
      else await jsm.streams.delete(streamName).catch(() => {});
      await jsm.streams.delete(`KV_${bucket}`).catch(() => {});
    } catch {
      // the cluster may be gone; nothing left to clean
    }
    await Promise.all(connections.map((nc) => nc.close().catch(() => {})));
  }
  return finish();
}
