import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLoad, type SaturationReport, toSuiteResult } from "../../harness/load/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { httpServer, scratchDir, type TestServer } from "./support.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const suite = (name: string) => new URL(`../../suites/load/${name}.ts`, import.meta.url).pathname;

describe("real runs against nats-server and HTTP", () => {
  let cluster: StartedLocalCluster;
  let echo: TestServer;
  let target: { nats: { servers: string[]; monitoring: string[] } };

  beforeAll(async () => {
    cluster = await new LocalCluster().withNodes(1).start();
    target = { nats: { servers: cluster.clientUrls, monitoring: cluster.monitoringUrls } };
    echo = await httpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => res.end(Buffer.concat(chunks)));
    });
  });

  afterAll(async () => {
    await Promise.all([cluster?.stop(), echo?.close()]);
  });

  /** Streams (KV buckets included) left on the cluster. */
  async function streamNames(): Promise<string[]> {
    const nc = await connect({ servers: cluster.clientUrls });
    try {
      const names: string[] = [];
      for await (const name of (await jetstreamManager(nc)).streams.names()) names.push(name);
      return names;
    } finally {
      await nc.close();
    }
  }

  async function until(condition: () => Promise<boolean>): Promise<void> {
    while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  it("runs HTTP and NATS scenarios side by side over two workers, counting every operation once", async () => {
    const pid = cluster.nodes[0]?.pid;
    const result = await runLoad({
      scenario: fixture("mixed.ts"),
      target,
      env: { URL: echo.url },
      workers: 2,
      progress: false,
      pids: pid ? [pid] : [],
    });
    expect(result.thresholds.filter((t) => !t.passed)).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.workers).toBe(2);
    expect(result.metrics.http_reqs?.count).toBe(20);
    expect(result.metrics.nats_reqs?.count).toBe(20);
    expect(result.metrics.js_pubs?.count).toBe(20);
    const nc = await connect({ servers: cluster.clientUrls });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info("GAUNTLET_TEST_MIXED")).state.messages).toBe(20);
    await jsm.streams.delete("GAUNTLET_TEST_MIXED");
    await nc.close();
    expect(result.metrics.checks).toMatchObject({ rate: 1, total: 60 });
    expect(result.resources.nodes[0]?.samples.at(-1)?.in_msgs).toBeGreaterThan(0);
    expect(result.resources.processes[0]?.samples.length).toBeGreaterThan(0);
    expect(result.resources.processes[0]?.samples[0]?.rssBytes).toBeGreaterThan(1_000_000);
  });

  it("reads JetStream PubAcks: dedupe by Nats-Msg-Id, and a publish no stream takes counted as failed", async () => {
    const result = await runLoad({ scenario: fixture("jetstream-acks.ts"), target, workers: 1, progress: false });
    expect(result.metrics.checks).toMatchObject({ rate: 1, total: 6 });
    expect(result.metrics.js_pubs?.count).toBe(4);
    expect(result.metrics.js_pub_failed).toMatchObject({ passes: 2, total: 4 });
    expect(result.metrics.errors?.count).toBe(2);
  });

  it.each(["nats-request-reply", "jetstream-ingest", "kv-read-write"])(
    "suites/load/%s runs, every operation succeeding, at a low rate",
    async (name) => {
      const result = await runLoad({ scenario: suite(name), target, rate: 20, duration: 1000, workers: 1, progress: false });
      // Latency thresholds depend on the machine (no timed assertions here); correctness ones must hold.
      const correctness = result.thresholds.filter((t) => !t.key.includes("_duration") && !t.key.startsWith("dropped"));
      expect(correctness.length).toBeGreaterThan(0);
      expect(correctness.filter((t) => !t.passed)).toEqual([]);
      expect((result.metrics.iterations?.count ?? 0) + (result.metrics.dropped_iterations?.count ?? 0)).toBe(20);
      expect(result.metrics.checks).toMatchObject({ rate: 1 });
      expect((await streamNames()).filter((stream) => /^(GAUNTLET_LOAD_|KV_gauntlet_load_)/.test(stream))).toEqual([]);
    },
  );

  describe("teardown cleans up behind every run that got past setup", () => {
    it("when the run is aborted", async () => {
      const abort = new AbortController();
      const run = runLoad({ scenario: fixture("cleans-up.ts"), target, workers: 1, progress: false, signal: abort.signal });
      await until(async () => (await streamNames()).includes("GAUNTLET_TEST_TEARDOWN"));
      abort.abort(new Error("stopped by the test"));
      expect((await run).aborted).toBe("stopped by the test");
      expect(await streamNames()).not.toContain("GAUNTLET_TEST_TEARDOWN");
    });

    it("when a worker fails", async () => {
      const run = runLoad({ scenario: fixture("cleans-up.ts"), target, env: { BREAK: "1" }, workers: 1, progress: false });
      await expect(run).rejects.toThrow(/load worker 0 failed: the worker crashed/);
      expect(await streamNames()).not.toContain("GAUNTLET_TEST_TEARDOWN");
    });
  });

  it("fails the run naming the worker when a scenario breaks inside a worker, leaving nothing running", async () => {
    using dir = scratchDir();
    const file = dir.write(
      "breaks-in-worker.ts",
      `import { isMainThread, threadId } from "node:worker_threads";
if (!isMainThread && threadId % 2 === 0) throw new Error("no config in this worker");
export const options = { scenarios: { a: { executor: "constant-vus", vus: 2, duration: "10m" } } };
export default async function () { await new Promise((r) => setTimeout(r, 10)); }
`,
    );
    // The healthy worker has 10 minutes of work: were it not stopped, this would hit the test timeout.
    await expect(runLoad({ scenario: file, target: {}, workers: 2, progress: false })).rejects.toThrow(
      /load worker \d failed: no config in this worker/,
    );
  });

  it("stops early on an abortOnFail threshold and exits 99", async () => {
    await using failing = await httpServer((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    const result = await runLoad({
      scenario: fixture("abort-on-fail.ts"),
      target: {},
      env: { URL: failing.url },
      workers: 1,
      progress: false,
    });
    expect(result.aborted).toMatch(/^threshold http_req_failed: rate<0.01 failed \(actual 1\) with abortOnFail/);
    expect(result.exitCode).toBe(99);
    const suite = toSuiteResult("load", result);
    expect(suite.verdict).toBe("fail");
    expect(suite.tests.map((t) => [t.name, t.state])).toEqual([
      ["http_req_failed: rate<0.01", "failed"],
      ["ran to the end", "failed"],
    ]);
    // 30 s were scheduled at 20/s; the run stopped within its first seconds.
    expect(result.metrics.http_reqs?.count).toBeLessThan(200);
  });

  it("finds the saturation point of a server that serves one request per 10 ms", async () => {
    let busyUntil = 0;
    await using serial = await httpServer((_req, res) => {
      const now = performance.now();
      busyUntil = Math.max(busyUntil, now) + 10;
      setTimeout(() => res.end("ok"), busyUntil - now);
    });
    const result = await runLoad({
      scenario: fixture("saturating-http.ts"),
      target: {},
      env: { URL: serial.url },
      workers: 1,
      progress: false,
    });
    const report = result.report as SaturationReport;
    expect(report.steps.map((s) => [s.rate, s.passed])).toEqual([
      [20, true],
      [200, false],
    ]);
    expect(report.saturationRate).toBe(20);
    expect(report.firstFailingRate).toBe(200);
  });
});
