import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EXPERIMENT_STREAM,
  type ExperimentSpec,
  type ExperimentTarget,
  localExperimentTarget,
  runExperiment,
} from "../../harness/failover/index.ts";
import { OP } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster, tmpfsUnavailable } from "../../harness/providers/local/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";

const unavailable = tmpfsUnavailable();
const mounts = () => execFileSync("findmnt", ["-rn", "-o", "TARGET"], { encoding: "utf8" });

/*
 * disk-full fills one node's store tmpfs to the last byte. A stream with replicas elsewhere
 * carries on (its publisher is served again before the fault ends); an R1 stream on that node
 * stops acknowledging writes until the node is freed and restarted, and nats-server 2.15.2 answers
 * most of them with nothing: the fault-errors check, asked for definite errors, reports the
 * timeouts. Nothing acknowledged is lost.
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
      ...spec,
    });

  it("an R1 stream on the full node: writes unanswered until the node restarts (reported as unclear errors), none acknowledged and lost; R3 carries on", async () => {
    expect(mounts()).toContain(`${cluster.dir}/nats-1/jetstream`);
    const broken = await run({
      name: "disk-full-r1",
      stream: { replicas: 1 },
      checks: { faultErrors: { fs: [OP.publish], definiteOnly: true } },
    });
    expect(broken.verdict.verdict).toBe("fail");
    expect(broken.verdict.causes).toContain("unclear-errors");
    expect(broken.verdict.reason).toMatch(
      /unclear-errors \(faultErrors\): \d+ operations inside the fault got no clear answer \(.*no answer publish timeout ×\d+/,
    );
    // Nothing acknowledged from shortly after the disk filled until the node restarted: most of the 10 s fault
    // (filling 64 MiB takes part of it, long on a loaded machine).
    expect(broken.verdict.maxUnavailableMs).toBeGreaterThanOrEqual(5_000);
    // Refused, not lost: after the heal (disk freed, node restarted) every acknowledged message reads back.
    expect(broken.verdict.counts.acknowledged).toBeGreaterThan(0);
    expect(broken.verdict.counts.lost).toBe(0);

    const control = await run({ name: "disk-full-r3", checks: { windowGap: { client: "js-pub-0", below: 1 } } });
    expect(control.verdict.reason).toBe("every checker passed");
    expect(control.verdict.counts.lost).toBe(0);
  });

  it("leaves no tmpfs mounted and no store dir behind when the harness is SIGKILLed (crash guard)", async () => {
    const script = `
      import { LocalCluster } from ${JSON.stringify(new URL("../../harness/providers/local/index.ts", import.meta.url).pathname)};
      const cluster = await new LocalCluster().withNodes(1).withDiskFaults(true, 8 * 1024 * 1024).start();
      console.log(JSON.stringify({ dir: cluster.dir }));
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    const { dir } = await new Promise<{ dir: string }>((resolve, reject) => {
      child.stdout.once("data", (chunk: Buffer) => resolve(JSON.parse(chunk.toString())));
      child.once("exit", (code) => reject(new Error(`the child exited (${code}) before its cluster started`)));
    });
    expect(mounts()).toContain(`${dir}/nats-1/jetstream`);
    child.kill("SIGKILL");
    await waitUntil(async () => (!mounts().includes(dir) && !existsSync(dir) ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      what: "the crash guard to unmount the store tmpfs and remove the run dir",
    });
  });
});
