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

/** The container's main process as this machine sees it (containers are processes here too), while it runs. */
export async function containerPid(id: string): Promise<number | undefined> {
  const client = await dockerClient();
  const state = (await client.container.inspect(client.container.getById(id))).State;
  return state.Running ? state.Pid : undefined;
}
