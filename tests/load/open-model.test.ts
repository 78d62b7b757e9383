import { describe, expect, it } from "vitest";
import { runLoad } from "../../harness/load/index.ts";
import { httpServer } from "./support.ts";

const now = () => performance.timeOrigin + performance.now();

describe("open model", () => {
  it("keeps the schedule through a 2 s stall: waits counted from the scheduled start, drops counted, no sample lost", async () => {
    let stallStart = 0;
    let stallEnd = 0;
    let stalledRequests = 0;
    await using server = await httpServer((_req, res) => {
      const t = now();
      if (!stallStart) {
        stallStart = t + 1000;
        stallEnd = stallStart + 2000;
      }
      const answer = (stalled: boolean) => {
        res.setHeader("x-stalled", stalled ? "1" : "0");
        res.setHeader("x-released-at", String(now()));
        res.end("ok");
      };
      if (t >= stallStart && t < stallEnd) {
        stalledRequests++;
        setTimeout(() => answer(true), stallEnd - t);
      } else answer(false);
    });
    const result = await runLoad({
      scenario: new URL("./fixtures/stall.ts", import.meta.url).pathname,
      target: {},
      env: { URL: server.url },
      workers: 2,
      progress: false,
    });

    const scheduled = 200;
    const requests = result.metrics.http_reqs?.count ?? 0;
    const dropped = result.metrics.dropped_iterations?.count ?? 0;
    // Every scheduled arrival is either a measured request or a counted drop.
    expect(requests + dropped).toBe(scheduled);
    // 100 arrivals fall in the stall but only 40 VUs exist: the rest are dropped, not delayed.
    expect(dropped).toBeGreaterThan(0);
    expect(stalledRequests).toBeGreaterThanOrEqual(40);
    // Each stalled request's latency covers its whole wait from the scheduled start.
    const stalled = result.tagged.rates.find((r) => r.metric === "checks" && r.tags.stalled === "true");
    expect(stalled?.total).toBe(stalledRequests);
    expect(stalled?.passes).toBe(stalled?.total);
    expect(result.metrics.checks).toMatchObject({ rate: 1, total: requests });
    // The per-second series accounts for every arrival too.
    expect(result.series.reduce((sum, s) => sum + s.started + s.dropped, 0)).toBe(scheduled);
  });
});
