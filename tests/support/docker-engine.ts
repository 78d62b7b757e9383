import { afterAll } from "vitest";
import { DockerEngineLease } from "../../harness/providers/docker/index.ts";

/**
 * The Docker engine for this test file: when none answers, dockerd is started (root, Debian's
 * docker.io; .ci/run installs it) and stopped after the file, unless another holder still uses it.
 * Resolves why no engine can be had, for `describe.skipIf`; undefined when one answers.
 */
export async function holdDockerEngine(): Promise<string | undefined> {
  try {
    const lease = await DockerEngineLease.acquire();
    afterAll(() => lease.release(), 60_000);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
