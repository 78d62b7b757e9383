import { describe, expect, it } from "vitest";
import type { Summary } from "../../harness/record/index.ts";
import { compareRuns, keyMetrics } from "../../reports/trends/index.ts";
import { realisticSummary } from "./support/realistic-run.ts";

const clean = (options: Parameters<typeof realisticSummary>[0] = {}) => realisticSummary({ failing: false, ...options });

/** The same run with one endpoint's p99 and the load scenarios' throughput changed by the given factors. */
function withChanges(base: Summary, runId: string, change: { p99?: number; throughput?: number }): Summary {
  const next = structuredClone(base);
  next.runId = runId;
  const endpoint = next.latency?.endpoints[0];
  if (endpoint && change.p99) endpoint.p99 *= change.p99;
  for (const scenario of next.load?.scenarios ?? []) {
    if (scenario.iterations !== undefined && change.throughput) scenario.iterations = Math.round(scenario.iterations * change.throughput);
  }
  return next;
}

describe("compareRuns", () => {
  it("finds no regression between a run and itself", () => {
    const run = clean();
    const comparison = compareRuns(run, run);
    expect(comparison.regressed).toBe(false);
    expect(comparison.regressions).toEqual([]);
    expect(comparison.metrics.every((m) => m.status === "unchanged")).toBe(true);
  });

  it("flags a p99 that grew more than 20 %, not one that grew 15 %", () => {
    const before = clean();
    const worse = compareRuns(withChanges(before, "b", { p99: 1.25 }), before);
    const endpoint = before.latency?.endpoints[0]?.endpoint;
    expect(worse.regressed).toBe(true);
    expect(worse.metrics.find((m) => m.id === `latency.${endpoint}.p99`)).toMatchObject({ status: "regressed" });
    expect(worse.metrics.find((m) => m.id === `latency.${endpoint}.p99`)?.changePct).toBeCloseTo(25, 5);
    expect(worse.regressions).toEqual([expect.stringMatching(new RegExp(`^${endpoint} p99: .* ms \\(\\+25\\.0 %\\)$`))]);
    expect(compareRuns(withChanges(before, "c", { p99: 1.15 }), before).regressed).toBe(false);
  });

  it("flags throughput that dropped more than 10 %, and calls a rise an improvement", () => {
    const before = clean();
    const dropped = compareRuns(withChanges(before, "b", { throughput: 0.88 }), before);
    expect(dropped.metrics.filter((m) => m.status === "regressed").map((m) => m.id)).toEqual([
      "load.gateway-mixed.throughput",
      "load.nats-request.throughput",
    ]);
    expect(compareRuns(withChanges(before, "c", { throughput: 0.95 }), before).regressed).toBe(false);
    const faster = compareRuns(withChanges(before, "d", { throughput: 1.2 }), before);
    expect(faster.regressed).toBe(false);
    expect(faster.metrics.find((m) => m.id === "load.gateway-mixed.throughput")?.status).toBe("improved");
  });

  it("honours configured tolerances", () => {
    const before = clean();
    const after = withChanges(before, "b", { p99: 1.25, throughput: 0.88 });
    expect(compareRuns(after, before, { latencyIncreasePct: 30, throughputDropPct: 15 }).regressed).toBe(false);
    expect(compareRuns(after, before, { latencyIncreasePct: 30 }).regressions).toHaveLength(2);
  });

  it("reports new failures as regressions, keeps old ones apart, and lists what got fixed", () => {
    const passing = clean({ runId: "pass" });
    const failing = realisticSummary({ runId: "fail" });
    const broke = compareRuns(failing, passing);
    expect(broke.newFailures).toEqual([
      "e2e: gateway-status > timeout → 504",
      "failover: failover > partition minority",
      "failover: partition minority",
      "load: nats-request nats_req_failed rate<0.01",
    ]);
    expect(broke.regressions).toEqual(
      expect.arrayContaining(["new failure: failover: partition minority", "partition minority: lost: 0 → 3", "failed tests: 0 → 2"]),
    );
    const again = compareRuns(failing, failing);
    expect(again.newFailures).toEqual([]);
    expect(again.stillFailing).toHaveLength(4);
    expect(again.regressed).toBe(false);
    const fixed = compareRuns(passing, failing);
    expect(fixed.fixed).toHaveLength(4);
    expect(fixed.regressed).toBe(false);
    expect(fixed.metrics.find((m) => m.id === "failover.partition minority.lost")?.status).toBe("improved");
  });

  it("compares against saved key metrics (a baseline) exactly as against the run itself", () => {
    const before = clean();
    const after = withChanges(before, "b", { p99: 1.5 });
    expect(compareRuns(after, keyMetrics(before))).toEqual(compareRuns(after, before));
  });

  it("marks metrics that appear or disappear between runs without calling them regressions", () => {
    const before = clean();
    const after = structuredClone(before);
    after.runId = "b";
    const dropped = after.latency?.endpoints.pop();
    after.latency?.endpoints.push({ endpoint: "GET /api/new", count: 10, p50: 1, p90: 2, p99: 3, max: 4 });
    const comparison = compareRuns(after, before);
    expect(comparison.metrics.find((m) => m.id === "latency.GET /api/new.p99")?.status).toBe("new");
    expect(comparison.metrics.find((m) => m.id === `latency.${dropped?.endpoint}.p99`)).toMatchObject({
      status: "gone",
      current: undefined,
    });
    expect(comparison.regressed).toBe(false);
  });
});
