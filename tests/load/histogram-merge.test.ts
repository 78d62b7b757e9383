import { describe, expect, it } from "vitest";
import { MetricSink, MetricStore, newHistogram } from "../../harness/load/index.ts";

const PERCENTILES = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100];

describe("histogram merge across workers", () => {
  it("equals one histogram of all samples, through encode/decode and many flushes", () => {
    const workers = [0, 1, 2, 3].map(() => new MetricSink(() => 0));
    const reference = newHistogram();
    const store = new MetricStore();
    const flushAll = () => {
      for (const [index, w] of workers.entries()) store.apply(w.drain(), index);
    };
    let seed = 42;
    for (let i = 0; i < 50_000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // A long-tailed latency: mostly 1–5 ms, some up to 2 s, in µs.
      const micros = seed % 100 === 0 ? 100_000 + (seed % 1_900_000) : 1000 + (seed % 4000);
      workers[i % 4]?.trend("http_req_duration", { endpoint: "story" }, micros);
      reference.recordValue(micros);
      if (i % 7919 === 0) flushAll();
    }
    flushAll();
    const merged = store.query("http_req_duration", { endpoint: "story" })?.histogram;
    expect(merged?.totalCount).toBe(50_000);
    for (const p of PERCENTILES) expect(merged?.getValueAtPercentile(p), `p${p}`).toBe(reference.getValueAtPercentile(p));
    expect(merged?.mean).toBeCloseTo(reference.mean, 6);
  });

  it("keeps per-second series exact: every sample lands in the second it finished", () => {
    const store = new MetricStore();
    const a = new MetricSink((ms) => Math.floor(ms / 1000));
    const b = new MetricSink((ms) => Math.floor(ms / 1000));
    a.request("nats_req_duration", {}, 2000, false, 100);
    b.request("nats_req_duration", {}, 4000, true, 900);
    b.request("nats_req_duration", {}, 8000, false, 1500);
    store.apply(a.drain(1), 0);
    store.apply(b.drain(1), 1);
    expect(store.seconds.get(0)).toMatchObject({ requests: 2, errors: 1 });
    expect(store.seconds.has(1)).toBe(false);
    store.apply(b.drain(), 1);
    expect(store.seconds.get(1)).toMatchObject({ requests: 1, errors: 0 });
    expect(store.seconds.get(0)?.latency.getValueAtPercentile(100)).toBeGreaterThanOrEqual(4000);
  });
});
