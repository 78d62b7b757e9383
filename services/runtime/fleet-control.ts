import { timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ReplicaHandle } from "./fleet.ts";

const ACTIONS = ["kill", "stop", "start"] as const;
type Action = (typeof ACTIONS)[number];

/**
 * A fleet's replicas, crashed, drained and started one by one over HTTP: how a harness outside
 * the fleet's process (a co-hosted fleet in a container) acts on one replica. Every request
 * carries the bearer token. `GET /replicas` lists them; `POST /replicas/<service>/<index>/<kill|stop|start>` acts.
 */
export async function serveFleetControl(options: {
  replicas: readonly ReplicaHandle[];
  token: string;
  host: string;
  port: number;
}): Promise<{ url: string; close(): Promise<void> }> {
  const expected = Buffer.from(`Bearer ${options.token}`);
  const server: Server = createServer((request, response) => {
    const given = Buffer.from(request.headers.authorization ?? "");
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return send(401, { error: "bad or missing token" });
    const [area, service, index, action] = (request.url ?? "").split("/").filter(Boolean);
    if (area !== "replicas") return send(404, { error: "not found" });
    if (request.method === "GET" && service === undefined)
      return send(
        200,
        options.replicas.map((replica) => ({ service: replica.service, index: replica.index, running: replica.running })),
      );
    const replica = options.replicas.find((candidate) => candidate.service === service && String(candidate.index) === index);
    if (request.method !== "POST" || !replica || !(ACTIONS as readonly string[]).includes(action ?? ""))
      return send(404, { error: `no replica ${service}#${index} or no action ${action}` });
    replica[action as Action]().then(
      () => send(200, { service: replica.service, index: replica.index, running: replica.running }),
      (error: unknown) => send(500, { error: (error as Error).message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
