import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultWindows, HistoryRecorder } from "../../harness/history/index.ts";
import { generateSchedule, Nemesis, runSchedule, type Schedule } from "../../harness/nemesis/index.ts";
import { snapshotCluster, waitForClusterFormed } from "../../harness/probes/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { processState } from "./support/cluster.ts";

describe("runSchedule on a real 3-node cluster", () => {
  let cluster: StartedLocalCluster;

  beforeAll(async () => {
    cluster = await new LocalCluster().withNodes(3).withNetworkFaults().start();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function expectWhole(): Promise<void> {
    expect(cluster.nodes.every((node) => node.running && processState(node.pid ?? -1) !== "T")).toBe(true);
    expect(cluster.network?.links().every((link) => link.state === "open")).toBe(true);
    const formed = await waitForClusterFormed(cluster.monitoringUrls, { timeoutMs: 30_000 });
    expect(formed.islands).toEqual([["nats-1", "nats-2", "nats-3"]]);
  }

  it("runs quiet → faults → heal → drain, records every fault window healed and prints the seed", async () => {
    const schedule = generateSchedule({
      seed: 2024,
      nodes: cluster.nodes.map((node) => node.name),
      faults: ["kill-node", "pause-node", "partition-minority"],
      quietMs: 200,
      faultsMs: 2_500,
      drainMs: 200,
      holdMs: [500, 800],
      gapMs: [200, 300],
      healTimeoutMs: 30_000,
    });
    const history = new HistoryRecorder();
    const progress: string[] = [];
    const report = await runSchedule(schedule, cluster, { history, onProgress: (line) => progress.push(line) });

    const faults = schedule.phases[1];
    if (faults?.phase !== "faults") throw new Error("no faults phase");
    expect(report.steps.map((step) => step.fault)).toEqual(faults.steps.map((step) => step.fault.kind));
    const windows = faultWindows(history.entries);
    expect(windows.map((window) => window.fault)).toEqual(faults.steps.map((step) => step.fault.kind));
    expect(windows.every((window) => window.healed && window.stop > window.start)).toBe(true);
    expect(progress.every((line) => line.startsWith("nemesis seed=2024: "))).toBe(true);
    expect(progress).toContain("nemesis seed=2024: done");
    await expectWhole();
  });

  it.each([
    { kind: "pause-node", node: "nats-1" },
    { kind: "kill-node", node: "nats-2" },
    { kind: "partition-minority", nodes: ["nats-3"] },
  ] as const)("aborted while $kind is held, it heals before it returns: nothing partitioned, paused or stopped", async (fault) => {
    const schedule: Schedule = {
      seed: 9,
      phases: [
        { phase: "quiet", durationMs: 0 },
        { phase: "faults", steps: [{ fault, holdMs: 60_000, gapMs: 0 }] },
        { phase: "heal", timeoutMs: 30_000 },
        { phase: "drain", durationMs: 0 },
      ],
    };
    const controller = new AbortController();
    const history = new HistoryRecorder();
    const run = runSchedule(schedule, cluster, {
      history,
      signal: controller.signal,
      onProgress: (line) => {
        if (line.includes(`injected ${fault.kind}`)) setImmediate(() => controller.abort(new Error("operator pressed Ctrl-C")));
      },
    });
    await expect(run).rejects.toThrow("operator pressed Ctrl-C");
    expect(faultWindows(history.entries)).toMatchObject([{ fault: fault.kind, healed: true }]);
    await expectWhole();
  });

  it("healAll undoes several faults in effect at once", async () => {
    const history = new HistoryRecorder();
    const nemesis = new Nemesis(cluster, { history });
    await nemesis.inject({ kind: "partition-minority", nodes: ["nats-1"] });
    await nemesis.inject({ kind: "pause-node", node: "nats-2" });
    await nemesis.inject({ kind: "kill-node", node: "nats-3" });
    expect(nemesis.active.map((fault) => fault.fault)).toEqual(["partition-minority", "pause-node", "kill-node"]);
    await nemesis.healAll();
    expect(nemesis.active).toEqual([]);
    expect(faultWindows(history.entries).every((window) => window.healed)).toBe(true);
    expect((await snapshotCluster(cluster.monitoringUrls)).every((snapshot) => snapshot.reachable)).toBe(true);
    await expectWhole();
  });
});
