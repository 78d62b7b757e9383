import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measurementResolution } from "../../harness/checkers/index.ts";
import { type ExperimentTarget, localExperimentTarget, runExperiment, type WorkloadPlacement } from "../../harness/failover/index.ts";
import { OP } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { FailoverSection, recordExperiment } from "../../harness/record/index.ts";
import { gauntlet } from "../support/cli.ts";

let cluster: StartedLocalCluster;
let target: ExperimentTarget;
const dir = mkdtempSync(join(tmpdir(), "gauntlet-resolution-"));

beforeAll(async () => {
  cluster = await new LocalCluster().withNodes(3).start();
  target = localExperimentTarget(cluster);
});

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Blocks this thread's event loop, as a heavy synchronous step of the harness would. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  let spins = 0;
  while (performance.now() < until) spins++;
  expect(spins).toBeGreaterThan(0);
}

describe("measurement resolution of failover experiments", () => {
  it("workloads in their own process record a history the checkers accept; its resolution is in the verdict, the run record and gauntlet check", async () => {
    const result = await runExperiment(target, {
      name: "kill-node-resolution",
      fault: { kind: "kill-node" },
      publishers: 2,
      // Long enough for a client whose request was in flight at the heal to see its next one succeed.
      timing: { quietMs: 1_500, faultMs: 1_000, recoveryMs: 5_000 },
    });
    expect(result.verdict.reason).toBe("every checker passed");
    // Publishes and KV operations came from the workload process, the fault window and final reads from the harness.
    const processes = new Set(result.history.map((entry) => String(entry.process)));
    expect([...processes].sort()).toEqual(
      [
        "kill-node-resolution/final-reader",
        "kill-node-resolution/js-pub-0",
        "kill-node-resolution/js-pub-1",
        "kill-node-resolution/kv-0",
        "nemesis",
        "probe",
      ].sort(),
    );
    const spacing = measurementResolution(result.history, OP.publish);
    if (!spacing) throw new Error("the experiment recorded no publish attempts");
    expect(result.verdict.resolution.jetstream).toMatchObject({ attempts: spacing.attempts, widestGapMs: spacing.widestGapNs / 1e6 });
    expect(result.verdict.resolution.boundMs).toBe(50);

    const runDir = join(dir, "run");
    mkdirSync(runDir);
    recordExperiment(runDir, result);
    const [recorded] = FailoverSection.parse(JSON.parse(readFileSync(join(runDir, "failover.json"), "utf8"))).experiments;
    expect(recorded?.resolution?.jetstream).toEqual({
      attempts: spacing.attempts,
      widestGapMs: Math.round(spacing.widestGapNs / 1e5) / 10,
      p99GapMs: Math.round(spacing.p99GapNs / 1e5) / 10,
    });
    const check = await gauntlet(["check", runDir]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(`attempts ≤ ${(spacing.widestGapNs / 1e6).toFixed(0)} ms apart`);
  });

  it("a main thread stalled by long synchronous steps leaves the gaps between attempts alone; with the workloads on the harness's event loop the stalls show as gaps", async () => {
    const STALL_MS = 1_500;
    const stalled = async (workloads: WorkloadPlacement) => {
      const stalls: number[] = [];
      const timer = setInterval(() => {
        stalls.push(Date.now());
        busy(STALL_MS);
      }, 2_000);
      try {
        const result = await runExperiment(
          target,
          { name: `stalled-${workloads}`, fault: { kind: "none" }, publishers: 2, kvClients: 0, timing: { quietMs: 6_000, recoveryMs: 0 } },
          { workloads },
        );
        // At least one stall fell wholly between the first and the last publish attempt.
        const attempts = result.history
          .filter((entry) => entry.f === OP.publish && entry.type === "invoke")
          .map((entry) => entry.time / 1e6);
        const inside = stalls
          .map((at) => at - result.startedAtMs)
          .filter((at) => at > (attempts[0] ?? Number.POSITIVE_INFINITY) && at + STALL_MS < (attempts.at(-1) ?? 0));
        expect(inside.length).toBeGreaterThan(0);
        return result.verdict.resolution.jetstream?.widestGapMs ?? Number.NaN;
      } finally {
        clearInterval(timer);
      }
    };
    expect(await stalled("process")).toBeLessThan(STALL_MS);
    expect(await stalled("main")).toBeGreaterThanOrEqual(STALL_MS);
  });
});
