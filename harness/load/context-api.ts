import type { LoadTarget } from "./target.ts";

/* What a scenario's iteration function sees: the API a scenario author codes against (harness/load/README.md). */

export interface HttpOptions {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Milliseconds from the intended start (or the previous operation's end) to the full body. */
  durationMs: number;
  error?: string;
  json<T = unknown>(): T;
}

export interface NatsReply {
  ok: boolean;
  error?: string;
  data: Uint8Array;
  headers?: Record<string, string>;
  durationMs: number;
  string(): string;
  json<T = unknown>(): T;
}

export interface OpOptions {
  tags?: Record<string, string>;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface JsAck {
  ok: boolean;
  error?: string;
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  durationMs: number;
}

export interface KvResult {
  ok: boolean;
  error?: string;
  value?: Uint8Array;
  revision?: number;
  durationMs: number;
  string(): string;
}

/** What an iteration function receives: protocols, checks, tags and custom metrics. */
export interface LoadContext<Data = unknown> {
  readonly vu: { readonly id: number; readonly iteration: number; readonly scenario: string; readonly worker: number };
  readonly data: Data;
  /** Epoch ms at which the schedule meant this iteration to start (arrival-rate executors), else when it started. */
  readonly scheduledAtMs: number;
  readonly target: LoadTarget;
  readonly env: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
  /** Tags added to every metric this iteration records from now on. */
  readonly tags: Record<string, string>;
  readonly http: {
    request(method: string, url: string, body?: unknown, options?: HttpOptions): Promise<HttpResponse>;
    get(url: string, options?: HttpOptions): Promise<HttpResponse>;
    post(url: string, body?: unknown, options?: HttpOptions): Promise<HttpResponse>;
  };
  readonly nats: {
    request(subject: string, payload?: unknown, options?: OpOptions): Promise<NatsReply>;
    publish(subject: string, payload?: unknown, options?: OpOptions): Promise<void>;
  };
  readonly js: {
    publish(subject: string, payload?: unknown, options?: OpOptions & { msgID?: string }): Promise<JsAck>;
  };
  kv(bucket: string): {
    get(key: string, options?: OpOptions): Promise<KvResult>;
    put(key: string, value: unknown, options?: OpOptions): Promise<KvResult>;
  };
  /** k6's check: records each named predicate in the `checks` rate and returns whether all passed. */
  check<T>(value: T, checks: Record<string, (value: T) => boolean>, tags?: Record<string, string>): boolean;
  count(name: string, value?: number, tags?: Record<string, string>): void;
  /** The system acknowledged storing an event at `seq` of `stream`: a game day's `acked_from` reads every one back. */
  acknowledged(stream: string, seq: number): void;
  trend(name: string, valueMs: number, tags?: Record<string, string>): void;
  rate(name: string, pass: boolean, tags?: Record<string, string>): void;
  sleep(ms: number): Promise<void>;
}
