import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { mulberry32 } from "../../../harness/nemesis/prng.ts";
import {
  type FaultWindow,
  JUNIT_FILE,
  SUMMARY_FILE,
  SUMMARY_SCHEMA_VERSION,
  type Summary,
  type TestResult,
  type TimePoint,
  toJUnit,
} from "../../../harness/record/index.ts";

/**
 * A nightly run shaped like the real thing: e2e through the gateway, per-endpoint latency, a
 * 2-minute open-model load with a pause fault, three failover experiments on a 5-node cluster
 * (the SIGKILL of the stream leader stalls acks for ~5.6 s, as measured in DESIGN.md), and the
 * cluster before and after. Seeded, so every call with the same options gives the same run.
 */
export interface RealisticRunOptions {
  runId?: string;
  startedAt?: string;
  /** Multiplies every latency. */
  latencyFactor?: number;
  /** Multiplies every rate. */
  throughputFactor?: number;
  /** With failures (an e2e test, a threshold, a lost-message experiment, a lagging replica) or a clean pass. */
  failing?: boolean;
  seed?: number;
}

export function realisticSummary(options: RealisticRunOptions = {}): Summary {
  const {
    runId = "20261126T220000Z-nightly",
    startedAt = "2026-11-26T22:00:00.000Z",
    latencyFactor = 1,
    throughputFactor = 1,
    failing = true,
  } = options;
  const random = mulberry32(options.seed ?? 7);
  const jitter = (spread: number) => 1 + (random() - 0.5) * 2 * spread;
  const lat = (ms: number) => round(ms * latencyFactor * jitter(0.06));

  const e2eFiles = [
    "suites/e2e/gateway-routes.test.ts",
    "suites/e2e/gateway-status.test.ts",
    "suites/e2e/services.test.ts",
    "suites/e2e/multi-hop.test.ts",
  ];
  const e2eNames = [
    ["routes come from the manifest", "unknown path is 404, never forwarded", "trace context reaches the service"],
    ["no responders → 503", "timeout → 504", "permission denied → 403", "payload too large → 413", "bad JSON → 400"],
    [
      "every service answers $SRV.PING",
      "ai-integration generates",
      "state-manager put then get",
      "event-bus publish is deduplicated by Idempotency-Key",
    ],
    ["story-teller calls model-management and state-manager", "downstream failure surfaces as 502"],
  ];
  const tests: TestResult[] = e2eNames.flatMap((names, fileIndex) =>
    names.map((name) => {
      const describe = (e2eFiles[fileIndex] ?? "").replace(/^.*\//, "").replace(".test.ts", "");
      const failed = failing && name === "timeout → 504";
      return {
        name,
        fullName: `${describe} > ${name}`,
        file: e2eFiles[fileIndex] ?? "",
        state: failed ? ("failed" as const) : ("passed" as const),
        durationMs: round(40 + random() * 400),
        errors: failed
          ? [
              {
                message: "AssertionError: expected 503 to be 504 // Object.is equality",
                stack: [
                  "AssertionError: expected 503 to be 504 // Object.is equality",
                  "",
                  "\u001b[32m- Expected\u001b[39m",
                  "\u001b[31m+ Received\u001b[39m",
                  "",
                  '- 504 <Gateway Timeout> & "retry-after"',
                  "+ 503 <Service Unavailable>",
                  "",
                  " ❯ suites/e2e/gateway-status.test.ts:41:27",
                ].join("\n"),
              },
            ]
          : [],
      };
    }),
  );
  tests.push({
    name: "responds while a gateway drains",
    fullName: "gateway-routes > responds while a gateway drains",
    file: e2eFiles[0] ?? "",
    state: "skipped",
    durationMs: 0,
    errors: [],
    note: "this target has one gateway",
  });

  const endpoints = [
    ["POST /api/story-teller/stories", 38, 3],
    ["POST /api/ai-integration/generate", 22, 1],
    ["GET /api/model-management/models", 4.1, 0],
    ["PUT /api/state-manager/state/{key}", 6.3, 0],
    ["GET /api/state-manager/state/{key}", 2.2, 0],
    ["POST /api/event-bus/events", 7.8, failing ? 2 : 0],
    ["GET /api/inventory/items", 3.4, 0],
    ["POST /api/payments/charge", 12.5, 0],
  ] as const;

  const loadStart = 20;
  const loadWindows: FaultWindow[] = [{ start: loadStart + 70, end: loadStart + 82, fault: "pause n3" }];
  const loadSeries: TimePoint[] = [];
  for (let second = 0; second < 120; second++) {
    const t = loadStart + second;
    const paused = t >= loadStart + 70 && t < loadStart + 82;
    const rate = round(300 * throughputFactor * jitter(0.03) * (paused ? 0.82 : 1));
    loadSeries.push({
      t,
      rate,
      errors: paused ? Math.round(random() * 6) : random() < 0.05 ? 1 : 0,
      p50: lat(paused ? 9.5 : 6.2),
      p99: lat(paused ? 420 : 48),
    });
  }

  const failoverStart = 150;
  const experimentsSpec = [
    { name: "kill stream leader", fault: "kill n2", at: 20, length: 6, stall: 5.6, lost: 0, duplicated: 0, recovered: 2 },
    { name: "pause meta leader", fault: "pause n1", at: 60, length: 10, stall: 1.2, lost: 0, duplicated: 0, recovered: 0 },
    {
      name: "partition minority",
      fault: "partition n4,n5 | n1,n2,n3",
      at: 100,
      length: 20,
      stall: 2.1,
      lost: failing ? 3 : 0,
      duplicated: 0,
      recovered: 1,
    },
  ];
  const failoverWindows = experimentsSpec.map((e) => ({
    start: failoverStart + e.at,
    end: failoverStart + e.at + e.length,
    fault: e.fault,
  }));
  const failoverSeries: TimePoint[] = [];
  for (let second = 0; second < 140; second++) {
    const t = failoverStart + second;
    const stalled = experimentsSpec.find((e) => second >= e.at && second < e.at + e.stall);
    const recovering = experimentsSpec.find((e) => second >= e.at + e.stall && second < e.at + e.length);
    const rate = stalled
      ? second - stalled.at < 1
        ? round(40 * jitter(0.2))
        : 0
      : round(180 * throughputFactor * jitter(0.04) * (recovering ? 0.9 : 1));
    failoverSeries.push({
      t,
      rate,
      errors: stalled ? Math.round(4 + random() * 8) : 0,
      p50: stalled ? lat(1800) : lat(recovering ? 3.4 : 2.8),
      p99: stalled ? lat(5600) : lat(recovering ? 38 : 14),
    });
  }

  const thresholds = [
    { metric: "http_req_duration", expression: "p(95)<200", pass: true, actual: lat(31.4), scenario: "gateway-mixed" },
    { metric: "http_req_duration", expression: "p(99)<500", pass: true, actual: lat(212), scenario: "gateway-mixed" },
    { metric: "checks", expression: "rate>0.99", pass: true, actual: 0.9987 },
    { metric: "nats_req_failed", expression: "rate<0.01", pass: !failing, actual: failing ? 0.0132 : 0.0021, scenario: "nats-request" },
  ];

  const nodes = ["n1", "n2", "n3", "n4", "n5"];
  const summary: Summary = {
    schema: SUMMARY_SCHEMA_VERSION,
    runId,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 312_400).toISOString(),
    durationMs: 312_400,
    profile: "nightly",
    target: { kind: "local", nodes: 5 },
    verdict: failing ? "fail" : "pass",
    exitCode: failing ? 1 : 0,
    reasons: failing
      ? [
          "e2e: gateway-status > timeout → 504 failed",
          "load: threshold nats_req_failed rate<0.01 crossed (0.0132)",
          "failover: partition minority lost 3 acknowledged messages",
        ]
      : [],
    suites: [
      { name: "e2e", verdict: failing ? "fail" : "pass", durationMs: 18_240, tests },
      {
        name: "failover",
        verdict: failing ? "fail" : "pass",
        durationMs: 141_000,
        tests: experimentsSpec.map((e) => ({
          name: e.name,
          fullName: `failover > ${e.name}`,
          file: "suites/failover/queue.test.ts",
          state: e.lost > 0 ? ("failed" as const) : ("passed" as const),
          durationMs: (e.length + 20) * 1000,
          errors: e.lost > 0 ? [{ message: `AssertionError: queue checker: lost ${e.lost} acknowledged messages (middle)` }] : [],
        })),
      },
    ],
    latency: {
      endpoints: endpoints.map(([endpoint, p50, errors]) => {
        const base = lat(p50);
        return {
          endpoint,
          count: Math.round(3600 * jitter(0.1)),
          errors,
          p50: base,
          p90: round(base * 2.1),
          p99: round(base * 4.6),
          max: round(base * 11),
        };
      }),
    },
    load: {
      scenarios: [
        {
          name: "gateway-mixed",
          executor: "constant-arrival-rate",
          protocol: "http",
          durationS: 120,
          iterations: Math.round(24_000 * throughputFactor),
          droppedIterations: 12,
          errors: 31,
        },
        {
          name: "nats-request",
          executor: "ramping-arrival-rate",
          protocol: "nats",
          durationS: 120,
          iterations: Math.round(12_000 * throughputFactor),
          droppedIterations: 0,
          errors: failing ? 158 : 25,
        },
      ],
      timeSeries: loadSeries,
      thresholds,
      histograms: [
        {
          metric: "http_req_duration",
          buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].map((upToMs, i) => ({
            upToMs,
            count: Math.round([220, 1900, 9800, 7400, 2600, 1300, 410, 190, 70, 12][i] ?? 0),
          })),
        },
      ],
      faultWindows: loadWindows,
    },
    failover: {
      experiments: experimentsSpec.map((e, i) => ({
        name: e.name,
        fault: e.fault,
        verdict: e.lost > 0 ? "fail" : "pass",
        ...(e.lost > 0 ? { reason: `queue checker: ${e.lost} acknowledged messages never read back (middle of the history)` } : {}),
        durationMs: (e.length + 20) * 1000,
        // The counts a real run record carries (harness/record/failover-record.ts), by field name.
        checkers: {
          lost: e.lost,
          duplicated: e.duplicated,
          unexpected: 0,
          recovered: e.recovered,
          acknowledged: 4_800 + i * 37,
          staleReads: 0,
          failedOutsideFaults: 0,
          gatewayUnavailableMs: Math.round(e.stall * 800),
        },
        maxUnavailableMs: Math.round(e.stall * 1000 * latencyFactor),
        // The second experiment's attempts were spaced wider than the bound: its figure is coarse.
        resolution: { jetstream: { attempts: 2_400, widestGapMs: i === 1 ? 180 : 21, p99GapMs: 9.5 }, boundMs: 50 },
        ...(i === 1
          ? {
              warnings: [
                "resolution: publish attempts up to 180 ms apart (bound 50 ms): JetStream's unavailability is measured to within that",
              ],
            }
          : {}),
        faultWindows: [failoverWindows[i] as FaultWindow],
      })),
      timeSeries: failoverSeries,
    },
    cluster: {
      before: {
        at: startedAt,
        nodes: nodes.map((name) => ({ name, up: true, jetstream: true, version: "2.15.2" })),
        metaLeader: "n1",
        streams: [
          { name: "EVENTS", replicas: 3, current: 3, leader: "n2", messages: 0 },
          { name: "KV_state", replicas: 3, current: 3, leader: "n4", messages: 120 },
        ],
      },
      after: {
        at: new Date(Date.parse(startedAt) + 312_000).toISOString(),
        nodes: nodes.map((name) => ({ name, up: true, jetstream: true, version: "2.15.2" })),
        metaLeader: "n3",
        streams: [
          { name: "EVENTS", replicas: 3, current: failing ? 2 : 3, leader: "n5", messages: 25_197 },
          { name: "KV_state", replicas: 3, current: 3, leader: "n4", messages: 3_840 },
        ],
      },
    },
  };
  return summary;
}

/** Writes a run record as `gauntlet run` does: `<runsDir>/<runId>/summary.json` and `junit.xml`. */
export async function writeRunRecord(runsDir: string, summary: Summary): Promise<string> {
  const dir = join(runsDir, summary.runId);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  await writeFile(join(dir, JUNIT_FILE), toJUnit(summary));
  return dir;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
