import { describe, expect, it } from "vitest";
import { checkLatency } from "../../harness/checkers/index.ts";
import { ms, ScriptedHistory } from "./support/scripted-history.ts";

describe("latency checker on hand-made histories", () => {
  it("gives nearest-rank percentiles per operation and overall, split between fault windows and quiet time", () => {
    const h = new ScriptedHistory();
    for (let i = 1; i <= 100; i++) h.op("c1", "request", i, { type: "ok" }, i * 10, i * 10 + i); // 1..100 ms
    h.nemesis("start", "pause", 2000);
    for (let i = 0; i < 10; i++) h.op("c1", "publish", i, { type: "ok" }, 2010 + i * 300, 2010 + i * 300 + 250);
    h.nemesis("stop", "pause", 5000);
    h.op("c1", "publish", 99, { type: "info" }, 5100, 5600);
    const result = checkLatency(h.entries);
    expect(result.valid).toBe(true);
    expect(result.details.byF.request?.all).toEqual({ count: 100, p50: ms(50), p90: ms(90), p99: ms(99), max: ms(100) });
    expect(result.details.byF.publish?.faulted).toMatchObject({ count: 10, p50: ms(250), max: ms(250) });
    expect(result.details.byF.publish?.quiet.count).toBe(0);
    expect(result.details.overall.quiet.count).toBe(100);
    expect(result.details.overall.all.count).toBe(110);
    expect(result.details.byWindow).toEqual([
      {
        fault: "pause",
        target: undefined,
        start: ms(2000),
        stop: ms(5000),
        stats: { count: 10, p50: ms(250), p90: ms(250), p99: ms(250), max: ms(250) },
      },
    ]);
    expect(checkLatency(h.entries, { includeFailures: true }).details.overall.all.max).toBe(ms(500));
  });

  it("fails when p99 is above the bound, and is unknown with nothing completed", () => {
    const h = new ScriptedHistory();
    for (let i = 0; i < 10; i++) h.op("c1", "request", i, { type: "ok" }, i * 100, i * 100 + 40);
    expect(checkLatency(h.entries, { maxP99Ns: ms(30) }).valid).toBe(false);
    expect(checkLatency(h.entries, { maxP99Ns: ms(50) }).valid).toBe(true);
    expect(checkLatency(new ScriptedHistory().entries).valid).toBe("unknown");
  });
});
