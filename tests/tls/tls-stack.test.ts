import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTarget, type Target } from "../../harness/config/index.ts";
import { fetchTrusting } from "../../harness/net/trusted-fetch.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { gauntlet, gauntletUp, type UpReady } from "../support/cli.ts";
import { processesMatching } from "../support/processes.ts";

// One TLS stack for every test here: starting the whole system costs more than the checks.
const dir = mkdtempSync(join(tmpdir(), "gauntlet-tls-test-"));
let ready: UpReady;
let target: Target;

beforeAll(async () => {
  ({ ready } = await gauntletUp(["--tls", "--nodes", "3", "--fleet-mode", "cohosted", "--gateways", "2"]));
  target = await loadTarget(ready.target);
}, 120_000);

afterAll(async () => {
  if (ready) {
    await gauntlet(["down", "--stack", ready.id]);
    await waitUntil(async () => (processesMatching(ready.dir).length === 0 && !existsSync(ready.dir) ? true : undefined), {
      timeoutMs: 20_000,
      what: `no process and no run dir left for ${ready.dir}`,
    });
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => "connected",
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );

describe("gauntlet up --tls", () => {
  it("describes its stack as TLS in the target file: tls:// servers, https gateways, the run's CA and client certificate", () => {
    // Loopback, or the nodes' own addresses on the kernel network (`up`'s default where it works): their certificate names both.
    expect(target.nats.servers.every((url) => /^tls:\/\/(127\.0\.0\.1|10\.213\.\d+\.\d+):/.test(url))).toBe(true);
    expect(target.gateway?.urls).toEqual(ready.gateways);
    expect(ready.gateways.every((url) => url.startsWith("https://127.0.0.1:"))).toBe(true);
    const tls = target.nats.tls;
    for (const file of [tls?.ca, tls?.cert, tls?.key]) expect(file?.startsWith(join(ready.dir, "tls"))).toBe(true);
    expect(statSync(tls?.key as string).mode & 0o077).toBe(0);
    expect(target.gateway?.tls?.ca).toBe(tls?.ca);
    expect(target.expect.tls).toBe(true);
  });

  it("refuses NATS clients without the run's CA or without a client certificate, and plain HTTP on the gateways", async () => {
    const { user, pass, tls } = target.nats;
    const servers = [...target.nats.servers];
    // Without `reconnect: false` nats.js retries a refused handshake instead of failing the connect.
    const attempt = (options: object) =>
      refusal(connect({ servers, user, pass, timeout: 3_000, reconnect: false, ...options }).then((nc) => nc.close()));
    expect(await attempt({ tls: { caFile: tls?.ca, certFile: tls?.cert, keyFile: tls?.key } })).toBe("connected");
    expect(await attempt({})).toMatch(/unable to verify the first certificate/);
    // The server's alert or, when the socket closes first, a reset: refused either way.
    expect(await attempt({ tls: { caFile: tls?.ca } })).toMatch(/certificate required|ECONNRESET/);

    const gateway = ready.gateways[0] as string;
    expect(await refusal(fetch(`${gateway}/readyz`))).toMatch(/fetch failed/);
    expect(await refusal(fetch(gateway.replace("https:", "http:")))).toMatch(/fetch failed/);
    expect((await fetchTrusting(target.gateway?.tls?.ca)(`${gateway}/readyz`)).status).toBe(200);
  });

  it("is healthy to the doctor, which sees TLS on with client certificates verified and routes over TLS", async () => {
    const doctor = await gauntlet(["doctor", "--target", ready.target]);
    expect(doctor.stdout).toMatch(/TLS\s+✔ pass\s+on, client certificates verified, routes over TLS \(expected on\)/);
    expect(doctor.code, doctor.stdout).toBe(0);
  });

  it("passes the e2e suite, a failover experiment and load over HTTPS and NATS, all over TLS", { timeout: 300_000 }, async () => {
    const profile = join(dir, "tls.yaml");
    writeFileSync(
      profile,
      [
        "extends: smoke",
        "failover:",
        "  faults: [kill-node]",
        "  env:",
        '    GAUNTLET_FAILOVER_QUIET_MS: "1000"',
        '    GAUNTLET_FAILOVER_FAULT_MS: "3000"',
        '    GAUNTLET_FAILOVER_RECOVERY_MS: "2000"',
        "load:",
        "  scenarios:",
        // Reached over TLS at all, not how well: latency and a few timeouts on a loaded machine are for bench/.
        '    - { scenario: gateway-mixed, rate: 20, duration: 4s, thresholds: { http_req_failed: ["rate<0.5"] } }',
        '    - { scenario: nats-request-reply, rate: 50, duration: 3s, thresholds: { nats_req_failed: ["rate<0.5"] } }',
        "",
      ].join("\n"),
    );
    const runsDir = join(dir, "runs");
    const run = await gauntlet(["run", "--target", ready.target, "--profile", profile, "--runs-dir", runsDir], { timeoutMs: 280_000 });
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    const summary = JSON.parse(readFileSync(join(realpathSync(join(runsDir, "latest")), "summary.json"), "utf8"));
    expect(summary.suites.map((suite: { name: string; verdict: string }) => [suite.name, suite.verdict])).toEqual([
      ["e2e", "pass"],
      ["failover", "pass"],
      ["load gateway-mixed", "pass"],
      ["load nats-request-reply", "pass"],
    ]);
    expect(summary.failover.experiments[0]).toMatchObject({ name: "kill-node", verdict: "pass" });
    expect(summary.failover.experiments[0].checkers.acknowledged).toBeGreaterThan(0);
    expect(summary.load.scenarios).toHaveLength(2);
    for (const scenario of summary.load.scenarios as Array<{ name: string; iterations: number; errors: number }>) {
      expect(scenario.iterations, scenario.name).toBeGreaterThan(0);
      expect(scenario.errors, scenario.name).toBeLessThan(scenario.iterations / 2);
    }
  });
});
