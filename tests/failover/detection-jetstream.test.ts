import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { judgeExperiment } from "../../harness/checkers/index.ts";
import {
  type ConsumerLimits,
  EXPERIMENT_STREAM,
  type ExperimentSpec,
  type ExperimentTarget,
  experimentTarget,
  localExperimentTarget,
  PROCESSOR_DURABLE,
  runExperiment,
} from "../../harness/failover/index.ts";
import { loadHistory, splitByExperiment } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { FailoverSection, recordExperiment } from "../../harness/record/index.ts";

/*
 * Detection power: the same experiment code the failover suite runs, against deliberately broken
 * setups. Each broken run must fail AND name its cause; a healthy control next to it must not.
 */
let cluster: StartedLocalCluster;
let target: ExperimentTarget;
const short = { quietMs: 1_500, faultMs: 1_000, recoveryMs: 1_000 };

beforeAll(async () => {
  cluster = await new LocalCluster().withNodes(3).start();
  target = localExperimentTarget(cluster);
});

afterAll(async () => {
  await cluster?.stop();
});

const run = (spec: ExperimentSpec) => runExperiment(target, { kvClients: 0, publishers: 2, ...spec });

describe("detection power (JetStream)", () => {
  it("memory storage + full-cluster restart: acknowledged messages reported lost; the R3 file control keeps them all", async () => {
    const broken = await run({
      name: "memory-full-restart",
      fault: { kind: "full-restart" },
      stream: { storage: "memory" },
      timing: short,
    });
    expect(broken.verdict.verdict).toBe("fail");
    expect(broken.verdict.causes).toContain("lost");
    expect(broken.verdict.counts.lost).toBeGreaterThan(0);
    expect(broken.verdict.reason).toMatch(/lost \(queue\): \d+ acknowledged lost/);
    // Checked against every replica before it was called lost: none holds them (the restarted memory stream reused their sequences).
    expect(broken.verdict.results.queue?.counts).toMatchObject({ lostUnverified: 0, lostOnMinority: 0, unreadable: 0 });
    expect(broken.verdict.reason).toContain("on no replica");

    const control = await run({ name: "file-full-restart", fault: { kind: "full-restart" }, timing: short });
    expect(control.verdict.counts.acknowledged).toBeGreaterThan(0);
    expect(control.verdict.counts.lost).toBe(0);
    expect(control.verdict.causes).not.toContain("lost");

    // The verdict is a pure function of the saved history: written to a run record and loaded back, it is the same.
    const runDir = mkdtempSync(join(tmpdir(), "gauntlet-failover-record-"));
    try {
      recordExperiment(runDir, broken);
      recordExperiment(runDir, control);
      const experiments = splitByExperiment(await loadHistory(join(runDir, "history.jsonl")));
      expect([...experiments.keys()]).toEqual(["memory-full-restart", "file-full-restart"]);
      const recheck = judgeExperiment(experiments.get("memory-full-restart") ?? []);
      expect(recheck.verdict).toBe("fail");
      expect(recheck.counts.lost).toBe(broken.verdict.counts.lost);
      expect(judgeExperiment(experiments.get("file-full-restart") ?? []).counts).toEqual(control.verdict.counts);
      const section = FailoverSection.parse(JSON.parse(readFileSync(join(runDir, "failover.json"), "utf8")));
      expect(section.experiments.map((e) => [e.name, e.verdict, e.checkers.lost > 0])).toEqual([
        ["memory-full-restart", "fail", true],
        ["file-full-restart", control.verdict.verdict, false],
      ]);
      expect(section.experiments[0]?.faultWindows[0]?.fault).toBe("full-restart");
      expect(section.timeSeries.length).toBeGreaterThan(0);
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  });

  it("memory-storage R1 stream wiped by a restart of its node: the acknowledged messages are lost on every replica, and reported lost", async () => {
    const broken = await run({
      name: "r1-memory-restart",
      fault: { kind: "kill-stream-leader", stream: EXPERIMENT_STREAM },
      stream: { replicas: 1, storage: "memory" },
      timing: short,
    });
    expect(broken.verdict.verdict).toBe("fail");
    expect(broken.verdict.causes).toContain("lost");
    expect(broken.verdict.causes).not.toContain("lost-on-minority");
    expect(broken.verdict.causes).not.toContain("unreadable");
    expect(broken.verdict.results.queue?.counts).toMatchObject({ lostUnverified: 0, lostOnMinority: 0, unreadable: 0 });
    expect(broken.verdict.counts.lost).toBeGreaterThan(0);
    const evidence = broken.history.find((entry) => entry.f === "replica-evidence")?.value as { replicas: unknown[] } | undefined;
    expect(evidence?.replicas).toHaveLength(1);
  });

  it("R1 instead of R3 + leader kill: reported as unavailable for the whole fault", async () => {
    const broken = await run({
      name: "r1-leader-kill",
      fault: { kind: "kill-stream-leader", stream: EXPERIMENT_STREAM },
      stream: { replicas: 1 },
      timing: { ...short, faultMs: 6_000 },
    });
    expect(broken.verdict.verdict).toBe("fail");
    expect(broken.verdict.causes).toContain("unavailable");
    expect(broken.verdict.reason).toMatch(/finding: stream \S+ acknowledged no publish for the whole [\d.]+ s of kill-stream-leader/);
    expect(broken.verdict.maxUnavailableMs).toBeGreaterThanOrEqual(6_000);
  });

  it("a consumer that acks before processing and crashes: acknowledged-but-never-processed messages reported lost", async () => {
    const broken = await run({
      name: "ack-before-process",
      fault: { kind: "none" },
      consumer: "ack-before-process-crash",
      publishers: 1,
      timing: { quietMs: 2_500, recoveryMs: 0 },
    });
    expect(broken.verdict.verdict).toBe("fail");
    expect(broken.verdict.causes).toEqual(["lost"]);
    expect(broken.verdict.counts.lost).toBeGreaterThan(0);

    const control = await run({
      name: "ack-after-process",
      fault: { kind: "none" },
      consumer: "ack-after-process",
      publishers: 1,
      timing: { quietMs: 2_500, recoveryMs: 0 },
    });
    expect(control.verdict.reason).toBe("every checker passed");
    expect(control.verdict.verdict).toBe("pass");
  });

  it("a consumer that gives up on what a stalled processor left unacknowledged (max_deliver 1): those messages reported lost, each with its MaxDeliver advisory; without the limit, redelivered and all processed", async () => {
    const stall = (name: string, consumerLimits: ConsumerLimits) =>
      run({
        name,
        fault: { kind: "stall-consumer", stream: EXPERIMENT_STREAM, consumer: PROCESSOR_DURABLE },
        consumer: "ack-after-process",
        consumerLimits,
        timing: { quietMs: 1_500, recoveryMs: 1_000 },
      });
    const broken = await stall("stall-max-deliver-1", { maxAckPending: 50, maxDeliver: 1, ackWaitMs: 1_000 });
    expect(broken.verdict.verdict).toBe("fail");
    expect(broken.verdict.causes).toEqual(expect.arrayContaining(["lost", "max-deliver"]));
    // Each lost message had its advisory; a message acknowledged only after its ack_wait ran out has one too, though it was processed.
    expect(broken.verdict.counts.lost).toBeGreaterThan(0);
    expect(broken.verdict.counts.maxDeliveries).toBeGreaterThanOrEqual(broken.verdict.counts.lost ?? 0);
    expect(broken.verdict.reason).toMatch(/JetStream gave up on \d+ message\(s\) of gauntlet-processor after max_deliver deliveries/);

    const control = await stall("stall-redelivered", { maxAckPending: 50, ackWaitMs: 1_000 });
    expect(control.verdict.reason).toBe("every checker passed");
    expect(control.verdict.counts.redelivered).toBeGreaterThan(0);
    expect(control.verdict.counts.maxDeliveries).toBe(0);
  });

  it("dedupe window at its minimum + retries after it: duplicates reported; the 2 min window control has none", async () => {
    // nats-server refuses a window under 100 ms (0 means its 2 min default): retries 150 ms apart outlive it.
    const retrying = {
      publishTimeoutMs: 1,
      publishRetryDelayMs: 150,
      publishers: 1,
      fault: { kind: "none" } as const,
      timing: { quietMs: 3_000, recoveryMs: 0 },
    };
    const broken = await run({ ...retrying, name: "dedupe-off", stream: { duplicateWindowMs: 100 } });
    expect(broken.verdict.verdict).toBe("fail");
    expect(broken.verdict.causes).toContain("duplicated");
    expect(broken.verdict.counts.duplicated).toBeGreaterThan(0);

    const control = await run({ ...retrying, name: "dedupe-2m" });
    expect(control.verdict.counts.duplicated).toBe(0);
    expect(control.verdict.causes).not.toContain("duplicated");
    expect(control.verdict.counts.recovered).toBeGreaterThan(0);
  });

  it("a target without a control API cannot be faulted: the experiment is an error that says so, never a pass", async () => {
    const remote = await experimentTarget({
      file: "someone-else.yaml",
      name: "someone else's system",
      nats: { servers: cluster.clientUrls, monitoring: cluster.monitoringUrls } as never,
      gateway: undefined,
      control: undefined,
      manifest: undefined,
      expect: { nodes: 3, maxPayload: undefined, tls: undefined, sync: undefined, minReplicas: undefined },
    });
    const result = await runExperiment(remote, { name: "kill-node-remote", fault: { kind: "kill-node" } });
    expect(result.verdict.verdict).toBe("error");
    expect(result.verdict.reason).toBe(
      "not run: someone-else.yaml: no control API (control: {url, token}): Gauntlet cannot inject faults into a system it does not run",
    );
  });
});
