import { percentile } from "../../lib/percentile/index.ts";
import type { Fetch } from "../net/trusted-fetch.ts";

interface Sample {
  readonly at: number;
  readonly ms: number;
  /** HTTP status, or 0 when no answer came (refused, reset, timed out). */
  readonly status: number;
}

export interface LoadWindow {
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly p99: number;
}

const isError = (sample: Sample) => sample.status === 0 || sample.status >= 500;

/**
 * A background load through the gateways: events published at a fixed rate (open model: a slow
 * answer never delays the next request), each with its own Idempotency-Key, answers kept so a
 * probe can judge any sliding window and read back every acknowledged sequence.
 */
export class GatewayLoad {
  readonly name: string;
  readonly samples: Sample[] = [];
  /** Stream sequences the gateways acknowledged (202). */
  readonly acked: number[] = [];
  readonly #urls: readonly string[];
  readonly #stream: string;
  readonly #rate: number;
  readonly #fetch: Fetch;
  readonly #runId: string;
  readonly #inflight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #sent = 0;

  constructor(options: { name: string; gatewayUrls: readonly string[]; stream: string; rate: number; fetch: Fetch; runId: string }) {
    this.name = options.name;
    this.#urls = options.gatewayUrls;
    this.#stream = options.stream;
    this.#rate = options.rate;
    this.#fetch = options.fetch;
    this.#runId = options.runId;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.#timer || this.#urls.length === 0) return;
    this.#timer = setInterval(() => this.#send(), 1_000 / this.#rate);
  }

  /** Stops sending and waits for the answers still out. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#inflight]);
  }

  /** The last `ms` of answers. */
  window(ms: number, now = performance.now()): LoadWindow {
    const recent = this.samples.filter((sample) => sample.at >= now - ms);
    const errors = recent.filter(isError).length;
    const latencies = recent.map((sample) => sample.ms).sort((a, b) => a - b);
    return { requests: recent.length, errors, errorRate: recent.length === 0 ? 0 : errors / recent.length, p99: percentile(latencies, 99) };
  }

  /** Per second since `origin` (performance.now()): requests, errors, p99. */
  seconds(origin: number): { t: number; requests: number; errors: number; p50: number; p99: number }[] {
    const buckets = new Map<number, Sample[]>();
    for (const sample of this.samples) {
      const second = Math.floor((sample.at - origin) / 1000);
      buckets.set(second, [...(buckets.get(second) ?? []), sample]);
    }
    return [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([t, samples]) => {
        const sorted = samples.map((sample) => sample.ms).sort((a, b) => a - b);
        return {
          t,
          requests: samples.length,
          errors: samples.filter(isError).length,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
        };
      });
  }

  #send(): void {
    const n = this.#sent++;
    const url = `${this.#urls[n % this.#urls.length]}/v1/events/${this.#stream}`;
    const started = performance.now();
    const request = this.#fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": `gameday-${this.#runId}-${this.name}-${n}` },
      body: JSON.stringify({ type: "gameday.load", load: this.name, n }),
      signal: AbortSignal.timeout(10_000),
    })
      .then(async (response) => {
        const body = (await response.json().catch(() => ({}))) as { seq?: unknown };
        if (response.status === 202 && typeof body.seq === "number") this.acked.push(body.seq);
        this.samples.push({ at: started, ms: performance.now() - started, status: response.status });
      })
      .catch(() => {
        this.samples.push({ at: started, ms: performance.now() - started, status: 0 });
      })
      .finally(() => this.#inflight.delete(request));
    this.#inflight.add(request);
  }
}
