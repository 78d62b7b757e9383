import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkLatency } from "../../harness/checkers/index.ts";
import { MetricSink, MetricStore } from "../../harness/load/metrics.ts";
import { summarizeMetrics } from "../../harness/load/result.ts";
import { LATENCY_LOG, summarizeLatency, timeSeries } from "../../harness/record/index.ts";
import { percentile } from "../../lib/percentile/index.ts";
import { ms, ScriptedHistory } from "../checkers/support/scripted-history.ts";
import { scratchDir } from "../load/support.ts";

/** 0.01 ms … 1.00 ms in a scrambled order: values an HDR histogram holds exactly (whole microseconds below 2048). */
const samplesMs = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1).map((n) => n / 100);

describe("one percentile definition", () => {
  it("is nearest rank: the smallest sample with at least p % at or below it", () => {
    const sorted = [...samplesMs].sort((a, b) => a - b);
    expect(percentile(sorted, 99)).toBe(0.99);
    expect(percentile(sorted, 50)).toBe(0.5);
    expect(percentile(sorted, 100)).toBe(1);
    expect(percentile([7], 1)).toBe(7);
    expect(percentile([], 99)).toBe(0);
    // 99.9 % of 1000 is 999.0000000000001 in floating point: still rank 999, as HdrHistogram says.
    expect(
      percentile(
        Array.from({ length: 1000 }, (_, i) => i + 1),
        99.9,
      ),
    ).toBe(999);
  });

  it("gives the same p50 and p99 in the checker, the load engine and the run record for the same samples", () => {
    const history = new ScriptedHistory();
    for (const [i, latency] of samplesMs.entries()) history.op(`c${i}`, "request", i, { type: "ok" }, 100 + i, 100 + i + latency);
    const checker = checkLatency(history.entries).details.overall.all;

    const sink = new MetricSink(() => 0);
    for (const latency of samplesMs) sink.request("http_req_duration", {}, latency * 1000, false, 0);
    const store = new MetricStore();
    store.apply(sink.drain());
    const summary = summarizeMetrics(store, 1000).http_req_duration;
    if (summary?.type !== "trend") throw new Error("no http_req_duration trend");
    const load = summary.trend as NonNullable<typeof summary.trend>;

    const [failoverSecond] = timeSeries(history.entries, 0);

    using dir = scratchDir();
    writeFileSync(
      join(dir.path, LATENCY_LOG),
      samplesMs.map((latency) => `${JSON.stringify({ endpoint: "GET /x", ms: latency, status: 200 })}\n`).join(""),
    );
    const [endpoint] = summarizeLatency(dir.path)?.endpoints ?? [];

    expect({ checker: checker.p99 / ms(1), load: load.p99, failover: failoverSecond?.p99, suites: endpoint?.p99 }).toEqual({
      checker: 0.99,
      load: 0.99,
      failover: 0.99,
      suites: 0.99,
    });
    expect({ checker: checker.p50 / ms(1), load: load.med, failover: failoverSecond?.p50, suites: endpoint?.p50 }).toEqual({
      checker: 0.5,
      load: 0.5,
      failover: 0.5,
      suites: 0.5,
    });
  });
});
