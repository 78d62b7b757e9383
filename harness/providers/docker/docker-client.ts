import type { ContainerRuntimeClient } from "testcontainers";

// Ryuk cannot be pulled offline: Gauntlet reaps its containers itself (labels + the crash guard).
process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
// Without it testcontainers starts an alpine container to find the host's address.
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";

/** testcontainers' client for the engine (loaded only when the docker provider runs). */
export async function dockerClient(): Promise<ContainerRuntimeClient> {
  const { getContainerRuntimeClient } = await import("testcontainers");
  return getContainerRuntimeClient();
}
