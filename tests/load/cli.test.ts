import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { processesMatching } from "../support/processes.ts";
import { standInManifest } from "../support/stand-in-manifest.ts";
import { gauntlet, httpServer, scratchDir, type TestServer } from "./support.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** Two stand-ins for a small local stack. */
const MANIFEST = standInManifest([{ name: "first" }, { name: "second" }], "5s");

describe("gauntlet load", () => {
  let cluster: StartedLocalCluster;
  let failing: TestServer;
  let healthy: TestServer;
  const dir = scratchDir();
  let target = "";

  beforeAll(async () => {
    cluster = await new LocalCluster().withNodes(1).start();
    failing = await httpServer((_req, res) => {
      res.statusCode = 500;
      res.end("broken");
    });
    healthy = await httpServer((_req, res) => res.end("ok"));
    target = dir.write("target.yaml", `nats:\n  servers: [${cluster.clientUrls[0]}]\n  monitoring: [${cluster.monitoringUrls[0]}]\n`);
  });

  afterAll(async () => {
    await Promise.all([cluster?.stop(), failing?.close(), healthy?.close()]);
    dir[Symbol.dispose]();
  });

  it("exits 99 when a threshold fails, and says which", async () => {
    const run = await gauntlet([
      "load",
      fixture("failing-threshold.ts"),
      "--target",
      target,
      "--env",
      `URL=${failing.url}`,
      "--workers",
      "1",
    ]);
    expect(run.code, run.stderr).toBe(99);
    expect(run.stderr).toContain("✗ http_req_failed: rate<0.01  (actual 1)");
    expect(run.stderr).toMatch(/✗ errors: count==0 {2}\(actual \d+\)/);
  });

  it("exits 0 when thresholds hold and writes load.json with series, histograms and /varz samples", async () => {
    const out = join(dir.path, "out");
    const run = await gauntlet([
      "load",
      fixture("failing-threshold.ts"),
      "--target",
      target,
      "--env",
      `URL=${healthy.url}`,
      "--out",
      out,
      "--duration",
      "2s",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(readFileSync(join(out, "load.json"), "utf8"));
    expect(result.thresholds.every((t: { passed: boolean }) => t.passed)).toBe(true);
    expect(result.metrics.http_reqs.count + (result.metrics.dropped_iterations?.count ?? 0)).toBe(40);
    expect(result.series.map((s: { started: number; dropped: number }) => s.started + s.dropped)).toEqual([20, 20]);
    expect(result.histograms.find((h: { metric: string }) => h.metric === "http_req_duration").encoded).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(result.resources.nodes[0].samples.length).toBeGreaterThan(0);
    expect(result.resources.nodes[0].samples[0]).toHaveProperty("slow_consumers");
  });

  it("without --target starts a local stack, runs against it, and stops it, leaving nothing behind", { timeout: 180_000 }, async () => {
    const stacksDir = join(dir.path, "tmp");
    mkdirSync(stacksDir);
    const manifest = dir.write("manifest.yaml", MANIFEST);
    const out = join(dir.path, "local-out");
    const stackOptions = ["--nodes", "3", "--fleet-mode", "cohosted", "--gateways", "2", "--manifest", manifest];
    const run = await gauntlet(["load", fixture("gateway-local.ts"), "--out", out, "--workers", "1", ...stackOptions], {
      TMPDIR: stacksDir,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("3-node NATS cluster");
    const result = JSON.parse(readFileSync(join(out, "load.json"), "utf8"));
    expect(result.metrics.checks).toMatchObject({ rate: 1 });
    expect(result.metrics.http_reqs.count).toBeGreaterThan(0);
    // It sampled the stack's own processes: 3 nats-servers and 2 gateways (the fleet ran in the CLI).
    expect(result.resources.processes.length).toBe(5);
    expect(result.resources.nodes.length).toBe(3);
    // Nothing outlives it: no process of the stack (configs and manifest name them), no run dir.
    expect(processesMatching(stacksDir)).toEqual([]);
    expect(processesMatching(manifest)).toEqual([]);
    expect(readdirSync(stacksDir)).toEqual([]);
  });

  it("names the file and the threshold when a threshold is malformed", async () => {
    const file = dir.write(
      "bad.ts",
      `export const options = { scenarios: { a: { executor: "constant-vus", vus: 1, duration: "1s" } }, thresholds: { "checks": ["rate>>0.9"] } };\nexport default function () {}\n`,
    );
    const run = await gauntlet(["load", file, "--target", target]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:thresholds['checks']: 'rate>>0.9': expected '<aggregation> <op> <number>'`);
  });

  it("names the known scenarios when the one asked for does not exist", async () => {
    const run = await gauntlet(["load", "no-such-scenario", "--target", target]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("scenario 'no-such-scenario': no such file, and suites/load has");
    expect(run.stderr).toContain("jetstream-ingest");
  });
});
