import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { ClientProfile } from "../../lib/nats-options/index.ts";
import { RetryError, retry, waitUntil } from "../../lib/retry/index.ts";
import { type HistoryRecorder, OP, PROBE } from "../history/index.ts";
import { fetchTrusting } from "../net/trusted-fetch.ts";
import { type ConsumerLimits, type ConsumerMode, type GatewayCall, PROCESSOR_DURABLE } from "./experiment.ts";
import { FixedRate, sleep } from "./pacing.ts";
import type { ProcessorStall } from "./processor-stall.ts";
import { clientOptions, type ExperimentTarget } from "./target.ts";

/** The servers list rotated so that client `index` prefers node `index`. */
export function rotated(servers: readonly string[], index: number): string[] {
  const start = index % servers.length;
  return [...servers.slice(start), ...servers.slice(0, start)];
}

export interface WorkloadContext {
  readonly target: Pick<ExperimentTarget, "servers" | "access" | "gatewayUrls" | "gatewayCa">;
  readonly history: HistoryRecorder;
  readonly client: ClientProfile;
  /** Prefix of every process id: `experiment/`. */
  readonly prefix: string;
  /** Starts every message id (msgID, Idempotency-Key): unique per experiment, so a shared stream's dedupe window never links two experiments. */
  readonly idPrefix: string;
  readonly intervalMs: number;
  readonly maxOps: number;
  /** Aborted when the workloads must stop starting operations. */
  readonly stop: AbortSignal;
}

export async function connectClient(context: WorkloadContext, index: number, role: string): Promise<NatsConnection> {
  const servers = rotated(context.target.servers, index);
  return connect(clientOptions(context.target, context.client, servers, `gauntlet-failover-${role}-${index}`));
}

export interface PublisherOptions {
  readonly stream: string;
  readonly subject: string;
  readonly timeoutMs: number;
  readonly attempts: number;
  /** Pause before a retry, times the attempt number (capped at 10 times). */
  readonly retryDelayMs: number;
  /** Caps messages in flight (open model: a slow ack never slows the arrival rate below this). */
  readonly maxInFlight: number;
}

/**
 * An open-model JetStream publisher: one message every `intervalMs` whatever the acks do, each
 * with its own msgID; an attempt that timed out (info) or failed is retried with the same msgID,
 * so a message stored by a timed-out attempt is deduplicated and counted as recovered.
 */
export async function runPublisher(
  context: WorkloadContext,
  nc: NatsConnection,
  index: number,
  options: PublisherOptions,
  pace: FixedRate = new FixedRate(context.intervalMs),
): Promise<void> {
  const js: JetStreamClient = jetstream(nc, { timeout: options.timeoutMs });
  const process = `${context.prefix}js-pub-${index}`;
  const inFlight = new Set<Promise<void>>();
  const send = async (id: string) => {
    const payload = JSON.stringify({ id, at: Date.now() });
    for (let attempt = 1; attempt <= options.attempts; attempt++) {
      const outcome = await context.history.run(process, OP.publish, { id, stream: options.stream }, () =>
        js.publish(options.subject, payload, {
          msgID: id,
          timeout: options.timeoutMs,
          ...(context.client === "production" ? { retries: 0 } : {}),
        }),
      );
      if (outcome.type === "ok") return;
      if (context.stop.aborted && attempt >= 2) return;
      await sleep(options.retryDelayMs * Math.min(attempt, 10), new AbortController().signal);
    }
  };
  for (let n = 0; n < context.maxOps && !context.stop.aborted; n++) {
    if (inFlight.size < options.maxInFlight) {
      const task = send(`${context.idPrefix}-${index}-${n}`).finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await pace.next(context.stop);
  }
  await Promise.all(inFlight);
}

/**
 * A KV register client: puts a counter to one key, then reads it back, over and over. Every
 * put's value is unique so a read names the write it saw.
 */
export async function runKvClient(
  context: WorkloadContext,
  nc: NatsConnection,
  index: number,
  bucket: string,
  timeoutMs: number,
): Promise<void> {
  const kv = await new Kvm(jetstream(nc, { timeout: timeoutMs })).open(bucket);
  const process = `${context.prefix}kv-${index}`;
  const key = `k${index}`;
  for (let n = 0; n < context.maxOps && !context.stop.aborted; n++) {
    const value = `${index}-${n}`;
    await context.history.run(process, OP.kvPut, { key, value, bucket }, async () => ({ revision: await kv.put(key, value) }));
    await context.history.run(process, OP.kvGet, { key, bucket }, async () => {
      const entry = await kv.get(key);
      return entry && entry.operation === "PUT" ? { value: entry.string(), revision: entry.revision } : { value: null, revision: 0 };
    });
    await sleep(context.intervalMs, context.stop);
  }
}

class HttpStatusError extends Error {
  override name = "HttpStatusError";
}

/**
 * Requests through the gateways as a load balancer would send them: round-robin, and a gateway
 * that refuses the connection is skipped for the next one. One recorded operation per request:
 * ok on 2xx; 503 and refused connections are definite failures; 504 and client timeouts unknown.
 */
export async function runGatewayClient(context: WorkloadContext, call: GatewayCall, maxInFlight: number): Promise<void> {
  const urls = context.target.gatewayUrls;
  const fetch = fetchTrusting(context.target.gatewayCa);
  const process = `${context.prefix}gateway`;
  const body = JSON.stringify(call.body);
  const timeoutMs = call.timeoutMs ?? 5_000;
  let next = 0;
  const request = async (id: string) => {
    let lastError: unknown;
    for (let tried = 0; tried < urls.length; tried++) {
      const url = urls[next++ % urls.length] as string;
      try {
        const response = await fetch(`${url}${call.path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(call.stream ? { "idempotency-key": id } : {}) },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        if (response.ok) return { status: response.status, gateway: url };
        throw new HttpStatusError(`${url}${call.path}: HTTP ${response.status} ${text.slice(0, 200)}`);
      } catch (error) {
        lastError = error;
        const refused = (error as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED";
        if (!refused) break;
      }
    }
    throw lastError;
  };
  const classify = (error: unknown, _f: string) => {
    const message = error instanceof Error ? error.message : String(error);
    const status = /HTTP (\d{3})/.exec(message)?.[1];
    if (status) return { type: status === "504" ? ("info" as const) : ("fail" as const), error: { class: `http-${status}`, message } };
    if ((error as { cause?: { code?: string } }).cause?.code === "ECONNREFUSED")
      return { type: "fail" as const, error: { class: "gateway-refused", message } };
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
      return { type: "info" as const, error: { class: "timeout", message } };
    return { type: "info" as const, error: { class: "gateway-error", message } };
  };
  const inFlight = new Set<Promise<unknown>>();
  const pace = new FixedRate(context.intervalMs);
  for (let n = 0; n < context.maxOps && !context.stop.aborted; n++) {
    if (inFlight.size < maxInFlight) {
      const id = `${context.idPrefix}-gw-${n}`;
      const task = context.history
        .run(
          process,
          OP.gatewayRequest,
          call.stream ? { path: call.path, id, stream: call.stream } : { path: call.path },
          () => request(id),
          {
            classify,
          },
        )
        .finally(() => inFlight.delete(task));
      inFlight.add(task);
    }
    await pace.next(context.stop);
  }
  await Promise.all(inFlight);
}

/** What a read returns for the queue checker; `deliveries` when JetStream delivered the message more than once. */
function messageRefs(messages: readonly JsMsg[], stream: string): { id: string; stream: string; deliveries?: number }[] {
  return messages.map((message) => ({
    id: message.headers?.get("Nats-Msg-Id") || `seq-${message.seq}`,
    stream,
    ...(message.info.deliveryCount > 1 ? { deliveries: message.info.deliveryCount } : {}),
  }));
}

/**
 * Records every MaxDeliver advisory of `consumer` (JetStream gave up on a message after
 * `max_deliver` deliveries) as a `max-deliveries` probe entry, until the connection closes.
 */
export function watchMaxDeliveries(history: HistoryRecorder, nc: NatsConnection, stream: string, consumer: string): void {
  nc.subscribe(`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`, {
    callback: (error, message) => {
      if (error) return;
      const advisory = message.json<{ stream_seq: number; deliveries: number }>();
      history.probe(PROBE.maxDeliveries, { stream, consumer, streamSeq: advisory.stream_seq, deliveries: advisory.deliveries });
    },
  });
}

/**
 * Waits until every replica of `stream` is current with no lag: a consumer whose leader lands on a
 * lagging replica sees only that replica's messages. Records the outcome as a `stream-replicas`
 * probe ({stream, converged, lagging}); a stream that never converges is a finding of its own.
 */
async function waitForReplicas(history: HistoryRecorder, jsm: JetStreamManager, stream: string, timeoutMs: number): Promise<void> {
  let lagging: { name: string; lag: number; current: boolean }[] = [];
  await waitUntil(
    async () => {
      const info = await jsm.streams.info(stream);
      lagging = (info.cluster?.replicas ?? [])
        .filter((replica) => !replica.current || (replica.lag ?? 0) > 0 || replica.offline)
        .map((replica) => ({ name: replica.name, lag: replica.lag ?? 0, current: replica.current }));
      return info.cluster?.leader && lagging.length === 0 ? true : undefined;
    },
    { what: `every replica of ${stream} current`, timeoutMs, intervalMs: 250 },
  ).catch((error) => {
    if (!(error instanceof RetryError)) throw error;
  });
  history.probe(PROBE.streamReplicas, { stream, converged: lagging.length === 0, lagging });
}

/**
 * Final reads (Jepsen's drain): a fresh durable consumer reads the stream from the start, every
 * batch recorded as one `read` with the msgIDs it returned, until nothing is pending. Creating
 * the consumer right after a peer died often times out: it is retried.
 */
export async function finalReads(
  history: HistoryRecorder,
  nc: NatsConnection,
  stream: string,
  process: string,
  deadlineMs: number,
  options: {
    readonly filter?: string | undefined;
    readonly durable?: string;
    /** How long every replica may take to catch up before the reads start anyway (default 20 s). */
    readonly replicasTimeoutMs?: number;
  } = {},
): Promise<void> {
  const jsm = await jetstreamManager(nc, { timeout: 5_000 });
  await waitForReplicas(history, jsm, stream, Math.min(deadlineMs, options.replicasTimeoutMs ?? 20_000));
  const durable = options.durable ?? "gauntlet-final-reads";
  const filter = options.filter;
  await addDurableConsumer(jsm, stream, durable, filter ? { filter_subject: filter } : {});
  const consumer = await retry(() => jetstream(nc, { timeout: 5_000 }).consumers.get(stream, durable), {
    what: `get consumer ${durable}`,
    attempts: 10,
    intervalMs: 500,
  });
  const until = Date.now() + deadlineMs;
  let emptyFetches = 0;
  while (Date.now() < until && emptyFetches < 3) {
    const outcome = await history.run(process, OP.read, { stream }, async () => {
      const batch: JsMsg[] = [];
      for await (const message of await consumer.fetch({ max_messages: 500, expires: 1_000 })) {
        batch.push(message);
        message.ack();
      }
      return messageRefs(batch, stream);
    });
    if (outcome.type !== "ok") continue;
    if (outcome.result.length > 0) emptyFetches = 0;
    else {
      const info = await jsm.consumers.info(stream, durable).catch(() => undefined);
      if (info && info.num_pending === 0 && info.num_ack_pending === 0) break;
      emptyFetches += 1;
    }
  }
}

/** Nothing left for the consumer: no message pending, none delivered and awaiting its ack (or redelivery). */
async function settled(jsm: JetStreamManager, stream: string, durable: string): Promise<boolean> {
  const info = await jsm.consumers.info(stream, durable).catch(() => undefined);
  return info !== undefined && info.num_pending === 0 && info.num_ack_pending === 0;
}

/** An explicit-ack durable from the stream's start; retried, since creating one right after a peer died often times out. */
function addDurableConsumer(jsm: JetStreamManager, stream: string, durable: string, extra: Partial<ConsumerConfig>) {
  return retry(
    () => jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...extra }),
    { what: `create consumer ${durable} on ${stream}`, attempts: 20, intervalMs: 500 },
  );
}

export interface ProcessorOptions {
  readonly limits?: ConsumerLimits | undefined;
  /** While stalled, what is delivered is neither processed nor acknowledged (a hung processor). */
  readonly stall?: ProcessorStall | undefined;
}

/** Draining, how many empty fetches may find deliveries still unacknowledged (JetStream redelivers them after ack_wait) before the processor stops anyway. */
const MAX_DRAIN_WAITS = 30;

const nanosOf = (ms: number) => ms * 1_000_000;

/**
 * A processor consuming the stream while the experiment runs (each processed batch is a `read`).
 * `ack-before-process-crash` acks a batch first and crashes (connection dropped, batch lost) on the
 * first batch after 50 processed messages, then a new incarnation carries on. Draining, it stops
 * after three empty fetches with nothing pending or awaiting redelivery.
 */
export async function runProcessor(
  context: WorkloadContext,
  stream: string,
  mode: ConsumerMode,
  drain: AbortSignal,
  options: ProcessorOptions = {},
): Promise<void> {
  const process = `${context.prefix}processor`;
  const durable = PROCESSOR_DURABLE;
  const crashAfter = 50;
  const limits = options.limits ?? {};
  let crashed = false;
  let processed = 0;
  let quietFetches = 0;
  let failedFetches = 0;
  let drainWaits = 0;
  while (quietFetches < 3) {
    const nc = await connectClient(context, 0, "processor");
    try {
      const jsm = await jetstreamManager(nc, { timeout: 5_000 });
      await addDurableConsumer(jsm, stream, durable, {
        ack_wait: nanosOf(limits.ackWaitMs ?? 5_000),
        ...(limits.maxAckPending !== undefined ? { max_ack_pending: limits.maxAckPending } : {}),
        ...(limits.maxDeliver !== undefined ? { max_deliver: limits.maxDeliver } : {}),
      });
      const consumer = await jetstream(nc, { timeout: 5_000 }).consumers.get(stream, durable);
      while (quietFetches < 3) {
        const batch: JsMsg[] = [];
        try {
          for await (const message of await consumer.fetch({ max_messages: 20, expires: 1_000 })) batch.push(message);
        } catch (error) {
          // A fetch failing while JetStream elects is retried; failing on and on while draining ends the processor.
          failedFetches += 1;
          if (failedFetches > 50)
            throw new Error(`processor: fetch from ${stream} keeps failing: ${(error as Error).message}`, { cause: error });
          if (drain.aborted) quietFetches += 1;
          await sleep(100, new AbortController().signal);
          continue;
        }
        failedFetches = 0;
        if (options.stall?.stalled) continue;
        if (batch.length === 0) {
          if (drain.aborted && (drainWaits >= MAX_DRAIN_WAITS || (await settled(jsm, stream, durable)))) quietFetches += 1;
          else if (drain.aborted) drainWaits += 1;
          continue;
        }
        quietFetches = 0;
        if (mode === "ack-before-process-crash") {
          await Promise.all(batch.map((message) => message.ackAck().catch(() => false)));
          if (!crashed && processed >= crashAfter) {
            crashed = true;
            throw new Error("processor crashed after acking a batch");
          }
          await context.history.run(process, OP.read, { stream }, async () => messageRefs(batch, stream));
        } else {
          await context.history.run(process, OP.read, { stream }, async () => messageRefs(batch, stream));
          for (const message of batch) message.ack();
        }
        processed += batch.length;
      }
    } catch (error) {
      if (!crashed || (error as Error).message !== "processor crashed after acking a batch") throw error;
    } finally {
      await nc.close().catch(() => {});
    }
  }
}
