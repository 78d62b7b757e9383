import type { Histogram } from "hdr-histogram-js";
import { decodeHistogram, encodeHistogram, newCompactHistogram, newHistogram } from "./histogram.ts";

export type Tags = Readonly<Record<string, string>>;
export type MetricType = "trend" | "counter" | "rate";

/** Built-in metrics, named as k6 names them where k6 has one. */
export const BUILTIN_METRICS: Record<string, MetricType> = {
  http_req_duration: "trend",
  http_req_failed: "rate",
  http_reqs: "counter",
  nats_req_duration: "trend",
  nats_req_failed: "rate",
  nats_reqs: "counter",
  nats_pubs: "counter",
  js_pub_duration: "trend",
  js_pub_failed: "rate",
  js_pubs: "counter",
  kv_op_duration: "trend",
  kv_op_failed: "rate",
  kv_ops: "counter",
  iteration_duration: "trend",
  iterations: "counter",
  dropped_iterations: "counter",
  interrupted_iterations: "counter",
  checks: "rate",
  errors: "counter",
};

export function metricKey(name: string, tags: Tags): string {
  const parts = Object.keys(tags)
    .sort()
    .map((k) => `${k}:${tags[k]}`);
  return parts.length ? `${name}{${parts.join(",")}}` : name;
}

/** One second of the run (0 = first), by the second iterations were scheduled for. */
export interface SecondDelta {
  second: number;
  started: number;
  completed: number;
  requests: number;
  errors: number;
  dropped: number;
  /** Latencies (µs) of requests made by iterations scheduled in this second, encoded. */
  latency: string;
}

export interface MetricDelta {
  trends: { name: string; tags: Tags; encoded: string }[];
  counters: { name: string; tags: Tags; value: number }[];
  rates: { name: string; tags: Tags; passes: number; total: number }[];
  seconds: SecondDelta[];
  activeVUs: number;
  /** Every second before this one has been handed over in full by this worker. */
  completeBefore: number;
  /** Sequences the system acknowledged as stored, by stream (`ctx.acknowledged`). */
  acked?: { stream: string; seqs: number[] }[];
}

/** A worker's running counts for one second: the same shape the store keeps once merged. */
type SecondAccumulator = StoredSecond;

function emptySecond(): SecondAccumulator {
  return { started: 0, completed: 0, requests: 0, errors: 0, dropped: 0, latency: newHistogram() };
}

/** A cheap key for the worker side: tag order as built (the store re-keys canonically on merge). */
function sinkKey(name: string, tags: Tags): string {
  let key = name;
  for (const k in tags) key += `\u0000${k}\u0001${tags[k]}`;
  return key;
}

/** Worker side: records samples and hands out what changed since the last drain. */
export class MetricSink {
  readonly #trends = new Map<string, { name: string; tags: Tags; histogram: Histogram }>();
  readonly #counters = new Map<string, { name: string; tags: Tags; value: number }>();
  readonly #rates = new Map<string, { name: string; tags: Tags; passes: number; total: number }>();
  readonly #seconds = new Map<number, SecondAccumulator>();
  readonly #acked = new Map<string, number[]>();
  readonly #secondOf: (epochMs: number) => number;
  activeVUs = 0;

  constructor(secondOf: (epochMs: number) => number) {
    this.#secondOf = secondOf;
  }

  /** The bucket last used (most samples fall in the current second); forgotten when drained. */
  #lastSecond = -1;
  #lastBucket: SecondAccumulator | undefined;

  #second(epochMs: number): SecondAccumulator {
    const second = Math.max(0, this.#secondOf(epochMs));
    if (second === this.#lastSecond) return this.#lastBucket as SecondAccumulator;
    let bucket = this.#seconds.get(second);
    if (!bucket) {
      bucket = emptySecond();
      this.#seconds.set(second, bucket);
    }
    this.#lastSecond = second;
    this.#lastBucket = bucket;
    return bucket;
  }

  /** Entries by tag-set object, then name: hot paths reuse tag objects, so no key is built per sample. */
  readonly #cache = {
    t: new WeakMap<Tags, Map<string, unknown>>(),
    c: new WeakMap<Tags, Map<string, unknown>>(),
    r: new WeakMap<Tags, Map<string, unknown>>(),
  };

  /** The iteration metrics' entries for the last tag set, looked up on every iteration. */
  #iterationTags: Tags | undefined;
  #iterationTrend: { histogram: Histogram } | undefined;
  #iterationCount: { value: number } | undefined;

  #entry<E>(map: Map<string, E>, kind: "t" | "c" | "r", name: string, tags: Tags, create: () => E): E {
    const cache = this.#cache[kind];
    let byName = cache.get(tags);
    if (!byName) {
      byName = new Map();
      cache.set(tags, byName);
    }
    let entry = byName.get(name) as E | undefined;
    if (!entry) {
      const key = sinkKey(name, tags);
      entry = map.get(key);
      if (!entry) {
        entry = create();
        map.set(key, entry);
      }
      byName.set(name, entry);
    }
    return entry;
  }

  trend(name: string, tags: Tags, micros: number): void {
    const entry = this.#entry(this.#trends, "t", name, tags, () => ({ name, tags, histogram: newHistogram() }));
    entry.histogram.recordValue(Math.max(1, Math.round(micros)));
  }

  count(name: string, tags: Tags, value = 1): void {
    this.#entry(this.#counters, "c", name, tags, () => ({ name, tags, value: 0 })).value += value;
  }

  rate(name: string, tags: Tags, pass: boolean): void {
    const entry = this.#entry(this.#rates, "r", name, tags, () => ({ name, tags, passes: 0, total: 0 }));
    entry.total += 1;
    if (pass) entry.passes += 1;
  }

  /**
   * A request-like operation took `micros` (from its iteration's intended start, for the first).
   * The per-second series files it under `scheduledMs`, the second its iteration was scheduled
   * for, so a stall shows in the seconds whose arrivals suffered it.
   */
  request(name: string, tags: Tags, micros: number, failed: boolean, scheduledMs: number): void {
    this.trend(name, tags, micros);
    const bucket = this.#second(scheduledMs);
    bucket.requests += 1;
    bucket.latency.recordValue(Math.max(1, Math.round(micros)));
    if (failed) this.error(tags, scheduledMs);
  }

  error(tags: Tags, atMs: number): void {
    this.count("errors", tags);
    this.#second(atMs).errors += 1;
  }

  /** Counted in the second the iteration was scheduled for, as drops are: started + dropped = the schedule. */
  iterationStarted(atMs: number): void {
    this.#second(atMs).started += 1;
  }

  iterationCompleted(tags: Tags, micros: number, scheduledMs: number): void {
    if (tags !== this.#iterationTags) {
      this.#iterationTags = tags;
      this.#iterationTrend = this.#entry(this.#trends, "t", "iteration_duration", tags, () => ({
        name: "iteration_duration",
        tags,
        histogram: newHistogram(),
      }));
      this.#iterationCount = this.#entry(this.#counters, "c", "iterations", tags, () => ({ name: "iterations", tags, value: 0 }));
    }
    (this.#iterationTrend as { histogram: Histogram }).histogram.recordValue(Math.max(1, Math.round(micros)));
    (this.#iterationCount as { value: number }).value += 1;
    this.#second(scheduledMs).completed += 1;
  }

  dropped(tags: Tags, intendedMs: number): void {
    this.count("dropped_iterations", tags);
    this.#second(intendedMs).dropped += 1;
  }

  acknowledged(stream: string, seq: number): void {
    const seqs = this.#acked.get(stream);
    if (seqs) seqs.push(seq);
    else this.#acked.set(stream, [seq]);
  }

  /** Everything recorded since the last drain; seconds before `openSecond` are complete and handed over. */
  drain(openSecond = Number.POSITIVE_INFINITY): MetricDelta {
    const delta: MetricDelta = { trends: [], counters: [], rates: [], seconds: [], activeVUs: this.activeVUs, completeBefore: openSecond };
    for (const entry of this.#trends.values()) {
      if (entry.histogram.totalCount === 0) continue;
      delta.trends.push({ name: entry.name, tags: entry.tags, encoded: encodeHistogram(entry.histogram) });
      entry.histogram.reset();
    }
    for (const entry of this.#counters.values()) {
      if (entry.value === 0) continue;
      delta.counters.push({ name: entry.name, tags: entry.tags, value: entry.value });
      entry.value = 0;
    }
    for (const entry of this.#rates.values()) {
      if (entry.total === 0) continue;
      delta.rates.push({ name: entry.name, tags: entry.tags, passes: entry.passes, total: entry.total });
      entry.passes = 0;
      entry.total = 0;
    }
    for (const [second, bucket] of this.#seconds) {
      if (second >= openSecond) continue;
      const { latency, ...counts } = bucket;
      delta.seconds.push({ second, ...counts, latency: encodeHistogram(latency) });
      this.#seconds.delete(second);
      if (second === this.#lastSecond) this.#lastSecond = -1;
    }
    if (this.#acked.size > 0) {
      delta.acked = [...this.#acked].map(([stream, seqs]) => ({ stream, seqs }));
      this.#acked.clear();
    }
    return delta;
  }
}

export interface StoredSecond {
  started: number;
  completed: number;
  requests: number;
  errors: number;
  dropped: number;
  latency: Histogram;
}

export interface MetricQuery {
  type: MetricType;
  /** Trend: merged histogram of matching series (µs). */
  histogram: Histogram;
  /** Counter: summed value. */
  count: number;
  /** Rate: passes and total. */
  passes: number;
  total: number;
  series: number;
}

function matches(tags: Tags, filter: Tags): boolean {
  for (const [k, v] of Object.entries(filter)) if (tags[k] !== v) return false;
  return true;
}

/** Main side: the exact sum of every worker's deltas. */
export class MetricStore {
  readonly trends = new Map<string, { name: string; tags: Tags; histogram: Histogram }>();
  readonly counters = new Map<string, { name: string; tags: Tags; value: number }>();
  readonly rates = new Map<string, { name: string; tags: Tags; passes: number; total: number }>();
  readonly seconds = new Map<number, StoredSecond>();
  readonly activeVUs = new Map<number, number>();
  /** Every sequence the scenario reported acknowledged, by stream. */
  readonly acked = new Map<string, number[]>();
  readonly #completeBefore = new Map<number, number>();

  apply(delta: MetricDelta, worker = 0): void {
    this.activeVUs.set(worker, delta.activeVUs);
    this.#completeBefore.set(worker, delta.completeBefore);
    for (const t of delta.trends) {
      const key = metricKey(t.name, t.tags);
      let entry = this.trends.get(key);
      if (!entry) {
        entry = { name: t.name, tags: t.tags, histogram: newHistogram() };
        this.trends.set(key, entry);
      }
      entry.histogram.add(decodeHistogram(t.encoded));
    }
    for (const c of delta.counters) {
      const key = metricKey(c.name, c.tags);
      const entry = this.counters.get(key);
      if (entry) entry.value += c.value;
      else this.counters.set(key, { ...c });
    }
    for (const r of delta.rates) {
      const key = metricKey(r.name, r.tags);
      const entry = this.rates.get(key);
      if (entry) {
        entry.passes += r.passes;
        entry.total += r.total;
      } else this.rates.set(key, { ...r });
    }
    for (const s of delta.seconds) {
      let entry = this.seconds.get(s.second);
      if (!entry) {
        entry = { started: 0, completed: 0, requests: 0, errors: 0, dropped: 0, latency: newCompactHistogram() };
        this.seconds.set(s.second, entry);
      }
      entry.started += s.started;
      entry.completed += s.completed;
      entry.requests += s.requests;
      entry.errors += s.errors;
      entry.dropped += s.dropped;
      entry.latency.add(decodeHistogram(s.latency));
    }
    for (const { stream, seqs } of delta.acked ?? []) {
      const known = this.acked.get(stream) ?? [];
      for (const seq of seqs) known.push(seq);
      this.acked.set(stream, known);
    }
  }

  /** The latest second every worker has handed over in full, or -1. */
  lastCompleteSecond(workers: number): number {
    if (this.#completeBefore.size < workers) return -1;
    return Math.min(...this.#completeBefore.values()) - 1;
  }

  typeOf(name: string): MetricType | undefined {
    for (const e of this.trends.values()) if (e.name === name) return "trend";
    for (const e of this.counters.values()) if (e.name === name) return "counter";
    for (const e of this.rates.values()) if (e.name === name) return "rate";
    return BUILTIN_METRICS[name];
  }

  /** Every series of `name` whose tags include `filter`, merged. */
  query(name: string, filter: Tags = {}): MetricQuery | undefined {
    const type = this.typeOf(name);
    if (!type) return undefined;
    const result: MetricQuery = { type, histogram: newHistogram(), count: 0, passes: 0, total: 0, series: 0 };
    if (type === "trend") {
      for (const e of this.trends.values())
        if (e.name === name && matches(e.tags, filter)) {
          result.histogram.add(e.histogram);
          result.series += 1;
        }
    } else if (type === "counter") {
      for (const e of this.counters.values())
        if (e.name === name && matches(e.tags, filter)) {
          result.count += e.value;
          result.series += 1;
        }
    } else {
      for (const e of this.rates.values())
        if (e.name === name && matches(e.tags, filter)) {
          result.passes += e.passes;
          result.total += e.total;
          result.series += 1;
        }
    }
    return result;
  }

  /** Seconds [from, to) merged: counts and request latency. */
  window(fromSecond: number, toSecond: number): StoredSecond {
    const merged: StoredSecond = { started: 0, completed: 0, requests: 0, errors: 0, dropped: 0, latency: newHistogram() };
    for (const [second, s] of this.seconds) {
      if (second < fromSecond || second >= toSecond) continue;
      merged.started += s.started;
      merged.completed += s.completed;
      merged.requests += s.requests;
      merged.errors += s.errors;
      merged.dropped += s.dropped;
      merged.latency.add(s.latency);
    }
    return merged;
  }
}
