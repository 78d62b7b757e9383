// The engine's HTTP API over its unix socket, with nothing but node: the crash guard's reaper
// imports this file too, and must work when the harness (and testcontainers) is gone.
import { request } from "node:http";
import { dockerSocket } from "./docker-socket.ts";
import { GAUNTLET_LABEL } from "./labels.ts";

function call(method: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: dockerSocket(), method, path, timeout: 30_000 }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`docker ${method} ${path}: no answer in 30 s`)));
    req.on("error", reject);
    req.end();
  });
}

async function labelled(kind: "containers" | "networks" | "volumes", stackId?: string): Promise<string[]> {
  const filters = encodeURIComponent(JSON.stringify({ label: [stackId ? `${GAUNTLET_LABEL}=${stackId}` : GAUNTLET_LABEL] }));
  const list = kind === "containers" ? "/containers/json?all=1&" : `/${kind}?`;
  const { status, body } = await call("GET", `${list}filters=${filters}`);
  if (status !== 200) throw new Error(`docker: listing ${kind} answered ${status}: ${body.trim()}`);
  const parsed = JSON.parse(body) as { Id?: string; Name?: string }[] | { Volumes: { Name: string }[] | null };
  if (Array.isArray(parsed)) return parsed.map((item) => (item.Id ?? item.Name) as string);
  return (parsed.Volumes ?? []).map((volume) => volume.Name);
}

/** A removal went through, or there was nothing left to remove (404), or the engine is at it already (409). */
async function remove(path: string): Promise<void> {
  const { status, body } = await call("DELETE", path);
  if (status >= 300 && status !== 404 && status !== 409) throw new Error(`docker DELETE ${path} answered ${status}: ${body.trim()}`);
}

/** Removes every container (with its anonymous volumes), network and volume labelled with this stack's id; throws when the engine refuses one. */
export async function removeStackResources(stackId: string): Promise<void> {
  const containers = await labelled("containers", stackId);
  await Promise.all(containers.map((id) => remove(`/containers/${id}?force=1&v=1`)));
  const networks = await labelled("networks", stackId);
  await Promise.all(networks.map((id) => remove(`/networks/${id}`)));
  const volumes = await labelled("volumes", stackId);
  await Promise.all(volumes.map((name) => remove(`/volumes/${name}?force=1`)));
}

/** Whether the engine runs any container at all (anyone's): a shared dockerd is not stopped under it. */
export async function engineRunsContainers(): Promise<boolean> {
  const { status, body } = await call("GET", "/containers/json");
  return status === 200 && (JSON.parse(body) as unknown[]).length > 0;
}

/** What is left of Gauntlet stacks on the engine (any stack, or one): for `down`, tests and the orphan check. */
export async function leftoverResources(stackId?: string): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const [containers, networks, volumes] = await Promise.all([
    labelled("containers", stackId),
    labelled("networks", stackId),
    labelled("volumes", stackId),
  ]);
  return { containers, networks, volumes };
}
