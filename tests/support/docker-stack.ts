import { PassThrough } from "node:stream";
import { afterAll, beforeAll, expect } from "vitest";
import { loadTarget } from "../../harness/config/index.ts";
import { type ExperimentTarget, experimentTarget } from "../../harness/failover/index.ts";
import { leftoverResources } from "../../harness/providers/docker/index.ts";
import { type DockerStackOptions, type StartedDockerStack, startDockerStack } from "../../harness/stack/docker-stack.ts";
import { TaskList } from "../../harness/ui/index.ts";

export interface FileStack {
  readonly stack: StartedDockerStack;
  /** The stack as a failover experiment sees it: faults go through its control API. */
  readonly target: ExperimentTarget;
}

/**
 * One Docker stack (the NATS cluster only) for the tests of the describe block that calls this:
 * started before them, stopped after them, and checked to leave no container, network or volume.
 * Its fields are there once the block's tests run.
 */
export function dockerStackForTests(options: Omit<DockerStackOptions, "progress" | "fleet">): FileStack {
  const held = {} as { stack: StartedDockerStack; target: ExperimentTarget };
  beforeAll(async () => {
    const progress = new TaskList(new PassThrough() as unknown as NodeJS.WriteStream, { quietBelowMs: 0 });
    held.stack = await startDockerStack({ ...options, fleet: false, progress });
    progress.finish();
    held.target = await experimentTarget(await loadTarget(held.stack.targetFile));
  }, 120_000);
  afterAll(async () => {
    const id = held.stack?.id;
    await held.stack?.stop();
    if (id) expect(await leftoverResources(id)).toEqual({ containers: [], networks: [], volumes: [] });
  }, 60_000);
  return held;
}
