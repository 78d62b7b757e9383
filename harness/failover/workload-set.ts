import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { ClientProfile } from "../../lib/nats-options/index.ts";
import type { HistoryRecorder } from "../history/index.ts";
import { fetchTrusting } from "../net/trusted-fetch.ts";
import type { ConsumerLimits, ConsumerMode, GatewayCall } from "./experiment.ts";
import { FixedRate, sleep } from "./pacing.ts";
import { runProbes } from "./probes.ts";
import type { ProcessorStall } from "./processor-stall.ts";
import { clientOptions, type ExperimentTarget } from "./target.ts";
import {
  connectClient,
  type PublisherOptions,
  runGatewayClient,
  runKvClient,
  runProcessor,
  runPublisher,
  type WorkloadContext,
} from "./workloads.ts";

/** What the workloads need of the target: plain data, so a worker thread can be given it. */
export type WorkloadTarget = Pick<ExperimentTarget, "servers" | "access" | "gatewayUrls" | "gatewayCa" | "expectedInstances">;

/** Every workload and probe of one experiment, as plain data (it crosses to a worker thread). */
export interface WorkloadPlan {
  readonly target: WorkloadTarget;
  readonly client: ClientProfile;
  /** Prefix of every process id: `experiment/`. */
  readonly prefix: string;
  readonly idPrefix: string;
  readonly intervalMs: number;
  readonly maxOps: number;
  readonly publishers: { readonly count: number; readonly pinTo: number; readonly options: PublisherOptions };
  readonly kv: { readonly clients: number; readonly bucket: string; readonly timeoutMs: number };
  readonly gateway: GatewayCall | undefined;
  readonly consumer: { readonly stream: string; readonly mode: ConsumerMode; readonly limits?: ConsumerLimits | undefined } | undefined;
  /** `$SRV.PING` of each service the target expects and `/readyz` of each gateway, this often. */
  readonly probeIntervalMs: number;
}

/** How long the workloads may take to wind down (in-flight publishes finish, the processor drains) before the probes stop anyway. */
const WIND_DOWN_MS = 15_000;

/** The workloads and probes of one experiment, running until `finish`. */
export class RunningWorkloads {
  readonly #tasks: readonly Promise<unknown>[];
  readonly #probing: Promise<void>;
  readonly #connections: readonly NatsConnection[];
  readonly #stopWorkloads: AbortController;
  readonly #stopProbes: AbortController;
  readonly #failures: unknown[];

  constructor(parts: {
    tasks: readonly Promise<unknown>[];
    probing: Promise<void>;
    connections: readonly NatsConnection[];
    stopWorkloads: AbortController;
    stopProbes: AbortController;
  }) {
    this.#failures = [];
    this.#tasks = parts.tasks.map((task) => task.catch((error: unknown) => this.#failures.push(error)));
    this.#probing = parts.probing;
    this.#connections = parts.connections;
    this.#stopWorkloads = parts.stopWorkloads;
    this.#stopProbes = parts.stopProbes;
  }

  /** No new operation starts (the processor drains what is left). */
  stopWorkloads(): void {
    this.#stopWorkloads.abort();
  }

  /** Stops everything at once without waiting (the experiment is over, e.g. aborted): connections close under in-flight operations. */
  async abort(): Promise<void> {
    this.#stopWorkloads.abort();
    this.#stopProbes.abort();
    await Promise.all(this.#connections.map((nc) => nc.close().catch(() => {})));
  }

  /** Stops the workloads, lets them wind down, then the probes; closes every connection. Returns what the workloads failed with. */
  async finish(): Promise<readonly unknown[]> {
    this.stopWorkloads();
    await Promise.race([Promise.all(this.#tasks), sleep(WIND_DOWN_MS, new AbortController().signal)]);
    this.#stopProbes.abort();
    await this.#probing;
    await Promise.all(this.#connections.map((nc) => nc.close().catch(() => {})));
    return this.#failures;
  }
}

/** Connects the experiment's clients and starts its workloads and probes, recording into `history`; `stall` is the processor's switch (stall-consumer). */
export async function startWorkloads(plan: WorkloadPlan, history: HistoryRecorder, stall?: ProcessorStall): Promise<RunningWorkloads> {
  const stopWorkloads = new AbortController();
  const stopProbes = new AbortController();
  const context: WorkloadContext = {
    target: plan.target,
    history,
    client: plan.client,
    prefix: plan.prefix,
    idPrefix: plan.idPrefix,
    intervalMs: plan.intervalMs,
    maxOps: plan.maxOps,
    stop: stopWorkloads.signal,
  };
  const connections: NatsConnection[] = [];
  const tasks: Promise<unknown>[] = [];
  try {
    // Probes connect as the admin does (production profile), whatever the workloads' client profile.
    const prober = await connect(clientOptions(plan.target, "production", plan.target.servers, "gauntlet-failover-probe"));
    connections.push(prober);
    // One schedule for every publisher, each a fraction of the interval after the previous: their attempts interleave.
    const origin = performance.now();
    for (let index = 0; index < plan.publishers.count; index++) {
      const nc = await connectClient(context, plan.publishers.pinTo + index, "publisher");
      connections.push(nc);
      const pace = new FixedRate(plan.intervalMs, { origin, phaseMs: (index * plan.intervalMs) / plan.publishers.count });
      tasks.push(runPublisher(context, nc, index, plan.publishers.options, pace));
    }
    for (let index = 0; index < plan.kv.clients; index++) {
      const nc = await connectClient(context, plan.publishers.pinTo + index, "kv");
      connections.push(nc);
      tasks.push(runKvClient(context, nc, index, plan.kv.bucket, plan.kv.timeoutMs));
    }
    if (plan.gateway && plan.target.gatewayUrls.length > 0) tasks.push(runGatewayClient(context, plan.gateway, 200));
    // The processor drains once the workloads stop.
    if (plan.consumer)
      tasks.push(
        runProcessor(context, plan.consumer.stream, plan.consumer.mode, stopWorkloads.signal, { limits: plan.consumer.limits, stall }),
      );
    const probing = runProbes(history, prober, {
      services: Object.keys(plan.target.expectedInstances),
      gatewayUrls: plan.target.gatewayUrls,
      fetch: fetchTrusting(plan.target.gatewayCa),
      intervalMs: plan.probeIntervalMs,
      stop: stopProbes.signal,
    });
    return new RunningWorkloads({ tasks, probing, connections, stopWorkloads, stopProbes });
  } catch (error) {
    stopWorkloads.abort();
    stopProbes.abort();
    await Promise.allSettled(tasks);
    await Promise.all(connections.map((nc) => nc.close().catch(() => {})));
    throw error;
  }
}
