import { type MsgHdrs, headers as natsHeaders } from "@nats-io/nats-core";
import type { Connections } from "./connections.ts";
import type { HttpOptions, HttpResponse, KvResult, LoadContext, OpOptions } from "./context-api.ts";
import { type Abortable, type OriginClient, parseUrl, type RawResponse } from "./http/index.ts";
import type { MetricSink, Tags } from "./metrics.ts";
import { internTags, isEmpty, plainHttpTags } from "./tag-cache.ts";
import { type LoadTarget, nowMs } from "./target.ts";

const encoder = new TextEncoder();
/** What a core publish resolves to: it is queued, and nothing more is known (as nats.js's publish). */
const PUBLISHED = Promise.resolve();
const decoder = new TextDecoder();

function payloadBytes(payload: unknown): Uint8Array {
  if (payload === undefined) return new Uint8Array(0);
  if (payload instanceof Uint8Array) return payload;
  return encoder.encode(typeof payload === "string" ? payload : JSON.stringify(payload));
}

function message(error: unknown): string {
  if (error instanceof Error)
    return (error as Error & { code?: string }).code ? `${(error as { code?: string }).code}: ${error.message}` : error.message;
  return String(error);
}

const NO_HEADERS: Record<string, string> = Object.freeze({});
const NO_OPTIONS: OpOptions = Object.freeze({});

class LoadHttpResponse implements HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  readonly durationMs: number;
  readonly error?: string;

  constructor(response: RawResponse, durationMs: number, error: string | undefined) {
    this.status = response.status;
    this.headers = response.headers;
    this.body = response.body;
    this.durationMs = durationMs;
    if (error !== undefined) this.error = error;
  }

  json<T = unknown>(): T {
    return JSON.parse(this.body) as T;
  }
}

export interface IterationInput {
  vuId: number;
  iteration: number;
  scenario: string;
  worker: number;
  /** Epoch ms at which the schedule meant this iteration to start. */
  intendedStartMs: number;
  scenarioTags: Tags;
  data: unknown;
  target: LoadTarget;
  env: Record<string, string>;
  signal: AbortSignal;
  /** HTTP requests in flight, aborted together when the run interrupts them. */
  inflight: Set<Abortable>;
}

export interface VuContext {
  ctx: LoadContext;
  /** Readies the context for the VU's next iteration. */
  reset(iteration: number, intendedStartMs: number): void;
}

/**
 * One VU's context, reused across its iterations. The first operation of an iteration is timed
 * from the iteration's intended start, so time spent waiting behind a slow system is counted
 * (no coordinated omission); later operations are timed from when they are issued.
 */
export function createVuContext(input: IterationInput, sink: MetricSink, connections: Connections): VuContext {
  let tags: Record<string, string> = {};
  let clock = input.intendedStartMs;
  const clients = new Map<string, OriginClient>();
  const clientFor = (origin: string): OriginClient => {
    let client = clients.get(origin);
    if (!client) {
      client = connections.http(origin, input.inflight);
      clients.set(origin, client);
    }
    return client;
  };
  const tagsFor = (extra: Record<string, string> | undefined, own: Record<string, string>, kind: string, primary: string): Tags =>
    internTags(input.scenarioTags, tags, own, extra, kind, primary);
  const begin = (): number => {
    const start = clock;
    clock = Number.NaN;
    return Number.isNaN(start) ? nowMs() : start;
  };
  const finish = (start: number, metric: string, failedMetric: string, countMetric: string, opTags: Tags, failed: boolean): number => {
    const end = nowMs();
    const micros = (end - start) * 1000;
    // An operation cut short by the end of the run is not a sample of the system (as k6).
    if (input.signal.aborted) return micros / 1000;
    sink.request(metric, opTags, micros, failed, input.intendedStartMs);
    sink.rate(failedMetric, opTags, failed);
    sink.count(countMetric, opTags);
    return micros / 1000;
  };

  const http = async (method: string, url: string, body: unknown, options: HttpOptions = {}): Promise<HttpResponse> => {
    const { origin, path, label } = parseUrl(url);
    let headers: Record<string, string> = options.headers ?? NO_HEADERS;
    let payload: string | Uint8Array | null = null;
    if (body !== undefined) {
      if (typeof body === "string" || body instanceof Uint8Array) payload = body;
      else {
        payload = JSON.stringify(body);
        if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type"))
          headers = { ...headers, "content-type": "application/json" };
      }
    }
    const start = begin();
    let response: RawResponse;
    let error: string | undefined;
    try {
      const request = { method, path, headers, body: payload, timeoutMs: options.timeoutMs ?? 60_000 };
      response = await clientFor(origin).request(request);
    } catch (cause) {
      error = message(cause);
      response = { status: 0, headers: {}, body: "" };
    }
    const status = response.status;
    const failed = status === 0 || status >= 400;
    const opTags =
      options.tags === undefined && isEmpty(tags)
        ? plainHttpTags(input.scenarioTags, method, label, status)
        : tagsFor(
            options.tags,
            options.tags?.name ? { method, status: String(status) } : { method, status: String(status), name: label },
            "http",
            `${method}\u0000${status}\u0000${label}`,
          );
    const durationMs = finish(start, "http_req_duration", "http_req_failed", "http_reqs", opTags, failed);
    return new LoadHttpResponse(response, durationMs, error);
  };

  const opResult = <T extends object>(fields: T, ok: boolean, error: string | undefined, durationMs: number) => ({
    ...fields,
    ok,
    durationMs,
    ...(error !== undefined ? { error } : {}),
  });

  const ctx: LoadContext = {
    vu: {
      id: input.vuId,
      get iteration() {
        return input.iteration;
      },
      scenario: input.scenario,
      worker: input.worker,
    },
    data: input.data,
    get scheduledAtMs() {
      return input.intendedStartMs;
    },
    target: input.target,
    env: input.env,
    signal: input.signal,
    get tags() {
      return tags;
    },
    http: {
      request: (method, url, body, options) => http(method.toUpperCase(), url, body, options),
      get: (url, options) => http("GET", url, undefined, options),
      post: (url, body, options) => http("POST", url, body, options),
    },
    nats: {
      async request(subject, payload, options = {}) {
        const nc = await connections.nats();
        connections.flushPublishes();
        const start = begin();
        let data: Uint8Array = new Uint8Array(0);
        let replyHeaders: Record<string, string> | undefined;
        let error: string | undefined;
        try {
          const h = options.headers ? natsHeaders() : undefined;
          for (const [k, v] of Object.entries(options.headers ?? {})) h?.set(k, v);
          const reply = await nc.request(subject, payloadBytes(payload), {
            timeout: options.timeoutMs ?? 5000,
            ...(h ? { headers: h } : {}),
          });
          data = reply.data;
          if (reply.headers) {
            replyHeaders = {};
            for (const [k, v] of reply.headers) replyHeaders[k] = v.join(",");
            if (reply.headers.hasError) error = `${reply.headers.code} ${reply.headers.description}`;
          }
        } catch (cause) {
          error = message(cause);
        }
        const opTags = tagsFor(options.tags, { subject }, "nats", subject);
        const durationMs = finish(start, "nats_req_duration", "nats_req_failed", "nats_reqs", opTags, error !== undefined);
        return {
          ...opResult({ data, ...(replyHeaders ? { headers: replyHeaders } : {}) }, error === undefined, error, durationMs),
          string: () => decoder.decode(data),
          json: <T>() => JSON.parse(decoder.decode(data)) as T,
        };
      },
      publish(subject, payload, options = NO_OPTIONS) {
        const nc = connections.connected;
        // Until the connection is up (rarely: workers connect before the start), wait for it.
        if (!nc) return connections.nats().then(() => ctx.nats.publish(subject, payload, options));
        begin();
        try {
          let h: MsgHdrs | undefined;
          if (options.headers) {
            h = natsHeaders();
            for (const [k, v] of Object.entries(options.headers)) h.set(k, v);
          }
          connections.publish(nc, subject, payloadBytes(payload), h);
        } catch (error) {
          return Promise.reject(error);
        }
        sink.count(
          "nats_pubs",
          options.tags === undefined && isEmpty(tags)
            ? internTags(input.scenarioTags, tags, NO_HEADERS, undefined, "nats", subject, "subject")
            : tagsFor(options.tags, { subject }, "nats", subject),
        );
        return PUBLISHED;
      },
    },
    js: {
      async publish(subject, payload, options = {}) {
        const publisher = await connections.jsPublisher();
        const start = begin();
        const ack = await publisher.publish(subject, payloadBytes(payload), { msgID: options.msgID, timeoutMs: options.timeoutMs ?? 5000 });
        const error = ack.error;
        const opTags = tagsFor(options.tags, { subject }, "nats", subject);
        const durationMs = finish(start, "js_pub_duration", "js_pub_failed", "js_pubs", opTags, error !== undefined);
        return opResult({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate }, error === undefined, error, durationMs);
      },
    },
    kv(bucket) {
      const op = async (name: "get" | "put", key: string, value: unknown, options: OpOptions = {}): Promise<KvResult> => {
        const kv = await connections.kv(bucket);
        connections.flushPublishes();
        const start = begin();
        let error: string | undefined;
        let fields: { value?: Uint8Array; revision?: number } = {};
        try {
          if (name === "get") {
            const entry = await kv.get(key);
            if (entry) fields = { value: entry.value, revision: entry.revision };
          } else {
            fields = { revision: await kv.put(key, payloadBytes(value)) };
          }
        } catch (cause) {
          error = message(cause);
        }
        const opTags = tagsFor(options.tags, { bucket, op: name }, name, bucket);
        const durationMs = finish(start, "kv_op_duration", "kv_op_failed", "kv_ops", opTags, error !== undefined);
        return {
          ...opResult(fields, error === undefined, error, durationMs),
          string: () => decoder.decode(fields.value ?? new Uint8Array(0)),
        };
      };
      return { get: (key, options) => op("get", key, undefined, options), put: (key, value, options) => op("put", key, value, options) };
    },
    check(value, checks, extra) {
      let all = true;
      for (const [name, predicate] of Object.entries(checks)) {
        let pass = false;
        try {
          pass = predicate(value) === true;
        } catch {
          pass = false;
        }
        sink.rate("checks", tagsFor(extra, { check: name }, "check", name), pass);
        all &&= pass;
      }
      return all;
    },
    count: (name, value = 1, extra) => sink.count(name, tagsFor(extra, {}, "", ""), value),
    acknowledged: (stream, seq) => sink.acknowledged(stream, seq),
    trend: (name, valueMs, extra) => sink.trend(name, tagsFor(extra, {}, "", ""), valueMs * 1000),
    rate: (name, pass, extra) => sink.rate(name, tagsFor(extra, {}, "", ""), pass),
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          input.signal.removeEventListener("abort", done);
          resolve();
        }
        input.signal.addEventListener("abort", done, { once: true });
      }),
  };
  return {
    ctx,
    reset(iteration, intendedStartMs) {
      input.iteration = iteration;
      input.intendedStartMs = intendedStartMs;
      clock = intendedStartMs;
      if (!isEmpty(tags)) tags = {};
    },
  };
}
