import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTarget } from "../../harness/config/index.ts";
import { type ExperimentTarget, experimentTarget, runExperiment } from "../../harness/failover/index.ts";
import { type StartedLocalStack, startLocalStack } from "../../harness/stack/index.ts";
import { TaskList } from "../../harness/ui/index.ts";
import { standInManifest } from "../support/stand-in-manifest.ts";

/** Two stand-ins behind the gateway: one whose replicas silently drop 1% of requests, one healthy. */
const MANIFEST = standInManifest([{ name: "dropper", profile: "{ dropRate: 0.01 }" }, { name: "steady" }], "300ms");

let dir: string;
let stack: StartedLocalStack;
let target: ExperimentTarget;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "gauntlet-failover-drop-"));
  const manifest = join(dir, "manifest.yaml");
  writeFileSync(manifest, MANIFEST);
  const progress = new TaskList(new PassThrough() as unknown as NodeJS.WriteStream, { quietBelowMs: 0 });
  stack = await startLocalStack({ nodes: 3, fleet: { manifest, mode: "cohosted", gateways: 1 }, progress });
  progress.finish();
  // Through the control API, as a suite sees a stack the harness runs.
  target = await experimentTarget(await loadTarget(stack.targetFile));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const steadyRun = (name: string, service: string) =>
  runExperiment(target, {
    name,
    fault: { kind: "none" },
    publishers: 0,
    kvClients: 0,
    gateway: { path: `/v1/${service}/get`, body: { key: "a" }, timeoutMs: 2_000 },
    timing: { quietMs: 4_000, recoveryMs: 0, intervalMs: 4 },
  });

describe("detection power (gateway)", () => {
  it("a service replica that silently drops 1% of requests: timed-out gateway requests reported as the cause", async () => {
    const broken = await steadyRun("dropping-replica", "dropper");
    expect(broken.verdict.verdict).toBe("fail");
    expect(broken.verdict.causes).toEqual(["failed-requests"]);
    expect(broken.verdict.reason).toMatch(
      /failed-requests \(steadyState\): \d+ operations failed with no fault in effect: gateway-request http-504 ×\d+/,
    );
    expect(broken.verdict.counts.failedOutsideFaults).toBeGreaterThan(0);

    const control = await steadyRun("healthy-replica", "steady");
    expect(control.verdict.reason).toBe("every checker passed");
  });
});
