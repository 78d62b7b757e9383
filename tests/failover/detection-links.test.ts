import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ExperimentTarget, localExperimentTarget, runExperiment } from "../../harness/failover/index.ts";
import { OP } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";

/*
 * A slow link loses nothing, so only a latency objective can catch it: with 50 ms ± 20 on every
 * route, an R3 publish waits at least one round trip to a follower (≥ 60 ms), so a p99 objective
 * of 40 ms must fail, and name the slow link as the cause. Lower bounds by construction of the
 * delay, not timings of this machine.
 */
let cluster: StartedLocalCluster;
let target: ExperimentTarget;

beforeAll(async () => {
  cluster = await new LocalCluster().withNodes(3).withNetwork("proxy").start();
  target = localExperimentTarget(cluster);
});

afterAll(async () => {
  await cluster?.stop();
});

describe("detection power (slow and lossy links)", () => {
  it("50 ms ± 20 on the routes: the publish p99 objective of 40 ms is reported missed (cause slow), and nothing is lost", async () => {
    const slow = await runExperiment(target, {
      name: "slow-routes",
      fault: { kind: "slow-link", links: "routes", delayMs: 50, jitterMs: 20 },
      publishers: 1,
      kvClients: 0,
      timing: { quietMs: 1_000, faultMs: 3_000, recoveryMs: 500 },
      checks: { latency: { fs: [OP.publish], maxP99Ms: 40 } },
    });
    expect(slow.verdict.verdict).toBe("fail");
    expect(slow.verdict.causes).toEqual(["slow"]);
    expect(slow.verdict.reason).toMatch(/^slow \(latency\): p99 [\d.]+ ?ms above 40(\.0)? ?ms/);
    expect(slow.verdict.counts.lost).toBe(0);
    expect(slow.verdict.results.latency?.counts.p99Ns).toBeGreaterThanOrEqual(60e6);
  });

  it("3 % segment loss on client links: retransmission stalls (≥ 200 ms) miss the same objective; nothing acknowledged is lost", async () => {
    const lossy = await runExperiment(target, {
      name: "lossy-clients",
      fault: { kind: "lossy-link", links: "clients", loss: 0.03 },
      publishers: 1,
      kvClients: 0,
      timing: { quietMs: 1_000, faultMs: 4_000, recoveryMs: 500 },
      checks: { latency: { fs: [OP.publish], maxP99Ms: 40 } },
    });
    expect(lossy.verdict.causes).toEqual(["slow"]);
    expect(lossy.verdict.counts.lost).toBe(0);
    expect(lossy.verdict.results.latency?.counts.maxNs).toBeGreaterThanOrEqual(200e6);
  });
});
