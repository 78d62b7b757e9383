import type { Target } from "../../harness/config/index.ts";
import { type Fetch, fetchTrusting } from "../../harness/net/trusted-fetch.ts";
import { recordLatency } from "../../harness/record/index.ts";

export interface GatewayResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly ms: number;
  json<T = unknown>(): T;
}

/** HTTP client for the target's gateways: requests go round-robin, each one timed and logged per endpoint. */
export class GatewayClient {
  readonly urls: readonly string[];
  /** A CA (PEM file) the gateways' https certificates chain to, when it is a private one. */
  readonly ca: string | undefined;
  readonly #fetch: Fetch;
  #next = 0;

  constructor(target: Target) {
    const urls = target.gateway?.urls ?? [];
    if (urls.length === 0) throw new Error(`${target.file}: gateway.urls is empty: the e2e suite needs a gateway`);
    this.urls = urls;
    this.ca = target.gateway?.tls?.ca;
    this.#fetch = fetchTrusting(this.ca);
  }

  /** POST a raw body (string or bytes) to `path` on the next gateway. */
  async post(
    path: string,
    body: string | Uint8Array,
    options: { headers?: Record<string, string>; endpoint?: string; errorPath?: boolean } = {},
  ): Promise<GatewayResponse> {
    const base = this.urls[this.#next++ % this.urls.length] as string;
    const startedAt = performance.now();
    const response = await this.#fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...options.headers },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const ms = performance.now() - startedAt;
    if (options.endpoint)
      recordLatency({ endpoint: options.endpoint, ms, status: response.status, ...(options.errorPath ? { errorPath: true } : {}) });
    return { status: response.status, headers: response.headers, text, ms, json: <T>() => JSON.parse(text) as T };
  }

  /** POST a JSON value to an endpoint of the manifest: `/v1/{service}/{endpoint}`. */
  call(service: string, endpoint: string, body: unknown, headers: Record<string, string> = {}): Promise<GatewayResponse> {
    return this.post(`/v1/${service}/${endpoint}`, JSON.stringify(body), { headers, endpoint: `${service}.${endpoint}` });
  }

  /** As `call`, for a request that provokes an error on purpose (a timeout, no responders): logged apart from the endpoint's latency. */
  provokeError(service: string, endpoint: string, body: unknown): Promise<GatewayResponse> {
    return this.post(`/v1/${service}/${endpoint}`, JSON.stringify(body), { endpoint: `${service}.${endpoint}`, errorPath: true });
  }

  get(url: string): Promise<Response> {
    return this.#fetch(url, { signal: AbortSignal.timeout(5_000) });
  }
}
