import type { Target } from "../config/index.ts";
import { assessCluster, type Check, clusterExpectationsOf, manifestOf, snapshotCluster } from "../probes/index.ts";
import type { Profile } from "../profiles/index.ts";
import type { SuiteResult, TestResult } from "../record/index.ts";

const SUITE = "durability preflight";
const DURABILITY_CHECKS = ["JetStream sync", "stream durability"];

/** The profile's `expect` on top of the target's: a profile can demand durability of any system it runs on. */
export function withProfileExpectations(target: Target, expect: Profile["expect"]): Target {
  return {
    ...target,
    expect: { ...target.expect, sync: expect.sync ?? target.expect.sync, minReplicas: expect.minReplicas ?? target.expect.minReplicas },
  };
}

function testOf(check: Check): TestResult {
  const failed = check.status === "fail";
  return {
    name: check.name,
    fullName: check.name,
    file: "gauntlet doctor",
    state: failed ? "failed" : "passed",
    durationMs: 0,
    errors: failed ? [{ message: check.detail }] : [],
  };
}

/**
 * Before any suite: the doctor's durability checks, as a suite of their own. Only when the target
 * expects durability (`expect.sync` or `expect.min_replicas`): otherwise they are warnings, not a verdict.
 */
export async function durabilityPreflight(target: Target): Promise<SuiteResult | undefined> {
  if (target.expect.sync === undefined && target.expect.minReplicas === undefined) return undefined;
  const startedAt = performance.now();
  const snapshots = await snapshotCluster(target.nats.monitoring, { streams: true });
  const { checks } = assessCluster(snapshots, clusterExpectationsOf(target, await manifestOf(target)));
  const tests = checks.filter((check) => DURABILITY_CHECKS.includes(check.name)).map(testOf);
  return {
    name: SUITE,
    verdict: tests.some((test) => test.state === "failed") ? "fail" : "pass",
    durationMs: performance.now() - startedAt,
    tests,
  };
}
