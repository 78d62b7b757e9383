import { describe, expect, it } from "vitest";
import { evaluateThreshold, MetricSink, MetricStore, parseThresholds, runLoad } from "../../harness/load/index.ts";
import { scratchDir } from "./support.ts";

const FILE = "suites/load/story.ts";

/** A store holding what a run against a story endpoint would: 100 latencies 1..100 ms, 3 failures, checks. */
function storyStore(): MetricStore {
  const sink = new MetricSink(() => 0);
  for (let ms = 1; ms <= 100; ms++) {
    const failed = ms > 97;
    sink.request("http_req_duration", { endpoint: "story", status: failed ? "500" : "200" }, ms * 1000, failed, 0);
    sink.rate("http_req_failed", { endpoint: "story" }, failed);
    sink.request("http_req_duration", { endpoint: "health", status: "200" }, 500, false, 0);
    sink.rate("checks", { check: "status 200" }, !failed);
  }
  const store = new MetricStore();
  store.apply(sink.drain());
  return store;
}

function judge(thresholds: Record<string, unknown[]>) {
  const store = storyStore();
  return parseThresholds(FILE, thresholds).map((t) => evaluateThreshold(t, store, 10_000));
}

describe("thresholds", () => {
  it("parses k6 syntax: sub-metric tags, aggregations, abortOnFail", () => {
    const [story, abort] = parseThresholds(FILE, {
      "http_req_duration{endpoint:story, status:200}": [
        "p(95)<200",
        { threshold: "p(99.9) <= 500", abortOnFail: true, delayAbortEval: "10s" },
      ],
    });
    expect(story).toMatchObject({
      metric: "http_req_duration",
      tags: { endpoint: "story", status: "200" },
      aggregation: "p(95)",
      comparison: "<",
      value: 200,
      abortOnFail: false,
    });
    expect(abort).toMatchObject({ aggregation: "p(99.9)", comparison: "<=", value: 500, abortOnFail: true, delayAbortEvalMs: 10_000 });
  });

  it("evaluates trends in milliseconds on the tagged sub-metric only (HDR: within 0.1 %)", () => {
    const results = judge({
      "http_req_duration{endpoint:story}": ["p(95)<95.5", "p(95)<94.5", "med<50.5", "avg<51", "min>=1", "max<=100.1"],
      "http_req_duration{endpoint:health}": ["max<1"],
    });
    expect(results.map((r) => [r.expression, r.passed])).toEqual([
      ["p(95)<95.5", true],
      ["p(95)<94.5", false],
      ["med<50.5", true],
      ["avg<51", true],
      ["min>=1", true],
      ["max<=100.1", true],
      ["max<1", true],
    ]);
    const expected = [95, 95, 50, 50.5, 1, 100, 0.5];
    for (const [i, r] of results.entries())
      expect(Math.abs((r.actual ?? 0) - (expected[i] as number)) / (expected[i] as number)).toBeLessThan(0.001);
  });

  it("evaluates rates and counters, catching a failure rate above the limit", () => {
    const results = judge({
      http_req_failed: ["rate<0.01", "rate<0.05"],
      checks: ["rate>0.99"],
      errors: ["count==0", "count==3"],
      dropped_iterations: ["count==0"],
    });
    expect(results.map((r) => [r.key, r.expression, r.passed])).toEqual([
      ["http_req_failed", "rate<0.01", false],
      ["http_req_failed", "rate<0.05", true],
      ["checks", "rate>0.99", false],
      ["errors", "count==0", false],
      ["errors", "count==3", true],
      ["dropped_iterations", "count==0", true],
    ]);
  });

  it("fails a threshold whose metric recorded nothing rather than passing it silently", () => {
    const [result] = judge({ js_pub_duration: ["p(99)<100"] });
    expect(result).toMatchObject({ passed: false, actual: null, reason: "no samples of js_pub_duration were recorded" });
  });

  it.each([
    [
      { http_req_duration: ["p95<200"] },
      "suites/load/story.ts:thresholds['http_req_duration']: 'p95<200': expected '<aggregation> <op> <number>'",
    ],
    [{ http_req_duration: ["p(95) < fast"] }, "'p(95) < fast': expected '<aggregation> <op> <number>'"],
    [{ http_req_duration: ["p(101)<5"] }, "'p(101)<5': percentile 101 is outside (0, 100]"],
    [
      { http_req_failed: ["p(95)<0.01"] },
      "thresholds['http_req_failed']: 'p(95)<0.01': 'p(95)' does not apply to http_req_failed, a rate metric (use rate)",
    ],
    [
      { "http_req_duration{endpoint}": ["p(95)<200"] },
      "thresholds['http_req_duration{endpoint}']: 'http_req_duration{endpoint}': tag filter 'endpoint' is not tag:value",
    ],
    [{ checks: "rate>0.99" }, "thresholds['checks']: 'rate>0.99': expected an array of expressions"],
    [{ checks: [{ threshold: "rate>0.99", abortOnFail: "yes" }] }, "'rate>0.99': abortOnFail must be true or false"],
  ])("rejects bad syntax %j with the file and the threshold named", (thresholds, message) => {
    expect(() => parseThresholds(FILE, thresholds)).toThrow(message);
  });

  it("refuses to run a scenario file with a bad threshold, naming the file and the threshold", async () => {
    using dir = scratchDir();
    const file = dir.write(
      "bad-threshold.ts",
      `export const options = { scenarios: { a: { executor: "per-vu-iterations", vus: 1, iterations: 1 } }, thresholds: { http_req_duration: ["p(95)<<200"] } };
export default function () {}
`,
    );
    await expect(runLoad({ scenario: file, target: {}, progress: false })).rejects.toThrow(
      `${file}:thresholds['http_req_duration']: 'p(95)<<200': expected`,
    );
  });

  it("names where overriding thresholds came from when they are malformed", async () => {
    using dir = scratchDir();
    const file = dir.write(
      "ok.ts",
      `export const options = { scenarios: { a: { executor: "per-vu-iterations", vus: 1, iterations: 1 } } };\nexport default function () {}\n`,
    );
    await expect(
      runLoad({
        scenario: file,
        target: {},
        progress: false,
        thresholds: { checks: ["rate >> 1"] },
        thresholdsFrom: "profiles/release.yaml:load[0].thresholds",
      }),
    ).rejects.toThrow("profiles/release.yaml:load[0].thresholds:thresholds['checks']: 'rate >> 1'");
  });
});
