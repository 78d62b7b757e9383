import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EXPERIMENT_STREAM,
  type ExperimentSpec,
  type ExperimentTarget,
  localExperimentTarget,
  runExperiment,
} from "../../harness/failover/index.ts";
import { faultWindows, OP } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster, tmpfsUnavailable } from "../../harness/providers/local/index.ts";

const unavailable = tmpfsUnavailable();
const mounts = () => execFileSync("findmnt", ["-rn", "-o", "TARGET"], { encoding: "utf8" });

/*
 * disk-full fills one node's store tmpfs to the last byte. A stream with replicas elsewhere
 * carries on; an R1 stream on that node stops acknowledging writes while the disk is full (nats-server
 * 2.15.2 answers most of them with nothing: the publishes time out), and the availability objective
 * "the publisher is served again within 90 % of the fault" reports it. Nothing acknowledged is lost.
 */
describe.skipIf(unavailable !== undefined)(`detection power (disk-full)${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let cluster: StartedLocalCluster;
  let target: ExperimentTarget;

  beforeAll(async () => {
    cluster = await new LocalCluster()
      .withNodes(3)
      .withDiskFaults(true, 64 * 1024 * 1024)
      .start();
    target = localExperimentTarget(cluster);
  });

  afterAll(async () => {
    const dir = cluster?.dir;
    await cluster?.stop();
    if (dir) expect(mounts()).not.toContain(dir);
  });

  const run = (spec: Omit<ExperimentSpec, "fault">) =>
    runExperiment(target, {
      kvClients: 0,
      publishers: 1,
      fault: { kind: "disk-full", stream: EXPERIMENT_STREAM },
      timing: { quietMs: 1_500, faultMs: 10_000, recoveryMs: 1_000 },
      checks: { windowGap: { client: "js-pub-0", below: 0.9 } },
      ...spec,
    });

  it("an R1 stream on the full node: no write acknowledged for most of the fault (objective missed), none acknowledged and lost; R3 carries on", async () => {
    expect(mounts()).toContain(`${cluster.dir}/nats-1/jetstream`);
    const broken = await run({ name: "disk-full-r1", stream: { replicas: 1 } });
    expect(broken.verdict.verdict).toBe("fail");
    expect(broken.verdict.reason).toMatch(
      /\(availability\): \S+js-pub-0 went [\d.]+ ms of the [\d.]+ ms disk-full without a success \(expected under 90 % of it/,
    );
    const [window] = faultWindows(broken.history);
    const refused = broken.history.filter(
      (entry) =>
        entry.f === OP.publish &&
        entry.type !== "ok" &&
        entry.type !== "invoke" &&
        window &&
        entry.time > window.start &&
        entry.time < window.stop,
    );
    expect(refused.length).toBeGreaterThan(0);
    // Refused, not lost: after the heal (disk freed, node restarted) every acknowledged message reads back.
    expect(broken.verdict.counts.acknowledged).toBeGreaterThan(0);
    expect(broken.verdict.counts.lost).toBe(0);

    const control = await run({ name: "disk-full-r3" });
    expect(control.verdict.reason).toBe("every checker passed");
    expect(control.verdict.counts.lost).toBe(0);
  });
});
