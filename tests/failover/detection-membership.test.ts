import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTarget } from "../../harness/config/index.ts";
import { type ExperimentSpec, type ExperimentTarget, experimentTarget, runExperiment } from "../../harness/failover/index.ts";
import { type StartedLocalStack, startLocalStack } from "../../harness/stack/index.ts";
import { TaskList } from "../../harness/ui/index.ts";

/*
 * Detection power of the membership fault: a node replaced as an Auto Scaling group does, through
 * the control API as a suite sees a stack the harness runs. Forgetting the peer-remove leaves a
 * ghost peer in the meta group and a stream replica on a server that is gone: the verdict must
 * fail and say so; the same replacement with the peer-remove must pass.
 */
let stack: StartedLocalStack;
let target: ExperimentTarget;
const short = { quietMs: 1_500, recoveryMs: 1_000, settleMs: 6_000 };

beforeAll(async () => {
  const progress = new TaskList(new PassThrough() as unknown as NodeJS.WriteStream, { quietBelowMs: 0 });
  stack = await startLocalStack({ nodes: 3, fleet: false, progress });
  progress.finish();
  target = await experimentTarget(await loadTarget(stack.targetFile));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const run = (spec: ExperimentSpec) => runExperiment(target, { kvClients: 0, publishers: 2, timing: short, ...spec });

describe("detection power (membership)", () => {
  it("a node replaced without the peer-remove: the ghost peer and the replica left on it are reported; with the peer-remove, a pass", {
    timeout: 120_000,
  }, async () => {
    // The control first: the broken run leaves its ghost peer in the meta group for good.
    const control = await run({ name: "replace-with-peer-remove", fault: { kind: "replace-node", node: "nats-3" } });
    expect(control.verdict.reason).toBe("every checker passed");
    expect(control.verdict.counts.acknowledged).toBeGreaterThan(0);
    expect(target.nemesis?.nodes.map((node) => node.name)).toEqual(["nats-1", "nats-2", "nats-3"]);

    const broken = await run({
      name: "replace-without-peer-remove",
      fault: { kind: "replace-node", node: "nats-2", removePeer: false, recoverTimeoutMs: 3_000 },
    });
    expect(broken.verdict.verdict).toBe("fail");
    expect(broken.verdict.causes).toEqual(expect.arrayContaining(["not-recovered", "replica-lag"]));
    expect(broken.verdict.reason).toMatch(/meta cluster size is not 3: .*sees 4/);
    expect(broken.verdict.reason).toMatch(/nats-2 offline/);
    expect(broken.verdict.counts.lost).toBe(0);
  });
});
