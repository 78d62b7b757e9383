import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LinkDegradation, Network, NodeHandle } from "../providers/index.ts";
import {
  DEGRADE_ABILITIES,
  type DegradeAbility,
  NODE_ACTIONS,
  type NodeAction,
  type PartitionRequest,
  REPLICA_ACTIONS,
  type ReplicaAction,
  type StackDescription,
} from "./control-protocol.ts";

/** A service or gateway replica the control API can act on. */
export interface ControlledReplica {
  readonly name: string;
  readonly running: boolean;
  kill(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface ControlledStack {
  readonly nodes: readonly NodeHandle[];
  /** See `NodeReplacing`: afterwards `nodes` lists the replacement in the old node's place. */
  replaceNode?(name: string): Promise<NodeHandle>;
  readonly network?: Network | undefined;
  readonly networkKind?: string | undefined;
  readonly services: ReadonlyArray<ControlledReplica & { readonly service: string; readonly index: number }>;
  readonly gateways: ReadonlyArray<ControlledReplica & { readonly url: string }>;
}

/** What undoes an action if no one else does in time (a harness that died mid-fault). */
const UNDO: Readonly<Record<string, string>> = {
  kill: "start",
  stop: "start",
  "lame-duck": "start",
  pause: "resume",
  partition: "heal",
  degrade: "heal",
  "fill-disk": "free-disk",
};

class HttpError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

const nodeAction = (node: NodeHandle, action: NodeAction): Promise<void> => {
  switch (action) {
    case "kill":
      return node.kill();
    case "stop":
      return node.stop();
    case "lame-duck":
      return node.stop({ lameDuck: true });
    case "start":
      return node.start();
    case "pause":
      return node.pause();
    case "resume":
      return node.resume();
    case "fill-disk":
    case "free-disk": {
      const disk = node.disk;
      if (!disk) throw new HttpError(409, `${node.name}: its store is not on a disk the harness can fill (needs root: a tmpfs per node)`);
      return action === "fill-disk" ? disk.fill() : disk.free();
    }
  }
};

const ABILITY: Readonly<Record<DegradeAbility, Omit<LinkDegradation, "seed">>> = {
  "delay-routes": { links: "routes", delayMs: 1 },
  "delay-clients": { links: "clients", delayMs: 1 },
  "loss-routes": { links: "routes", loss: 0.01 },
  "loss-clients": { links: "clients", loss: 0.01 },
  "rate-routes": { links: "routes", rateKbit: 1000 },
  "rate-clients": { links: "clients", rateKbit: 1000 },
};

function degradeAbilities(network: Network): Record<DegradeAbility, string | null> | undefined {
  const cannot = network.cannotDegrade?.bind(network);
  if (!cannot || !network.degrade) return undefined;
  return Object.fromEntries(DEGRADE_ABILITIES.map((ability) => [ability, cannot(ABILITY[ability]) ?? null])) as Record<
    DegradeAbility,
    string | null
  >;
}

const fraction = (value: unknown) => value === undefined || (typeof value === "number" && value >= 0 && value <= 1);
const milliseconds = (value: unknown) => value === undefined || (typeof value === "number" && value >= 0 && value <= 60_000);

function parseDegrade(body: unknown): LinkDegradation {
  const { links, nodes, delayMs, jitterMs, loss, rateKbit, seed } = body as Record<string, unknown>;
  if (links !== "routes" && links !== "clients" && links !== "all") throw new HttpError(400, "links: expected routes, clients or all");
  if (nodes !== undefined && !(Array.isArray(nodes) && nodes.every((name) => typeof name === "string")))
    throw new HttpError(400, "nodes: expected an array of node names");
  if (!milliseconds(delayMs) || !milliseconds(jitterMs)) throw new HttpError(400, "delayMs, jitterMs: expected 0–60000 ms");
  if (!fraction(loss)) throw new HttpError(400, "loss: expected a probability from 0 to 1");
  if (rateKbit !== undefined && !(typeof rateKbit === "number" && Number.isInteger(rateKbit) && rateKbit > 0))
    throw new HttpError(400, "rateKbit: expected a whole number of kbit/s above 0");
  if (typeof seed !== "number" || !Number.isInteger(seed)) throw new HttpError(400, "seed: expected an integer");
  return {
    links,
    seed,
    ...(nodes ? { nodes: nodes as string[] } : {}),
    ...(delayMs !== undefined ? { delayMs: delayMs as number } : {}),
    ...(jitterMs !== undefined ? { jitterMs: jitterMs as number } : {}),
    ...(loss !== undefined ? { loss: loss as number } : {}),
    ...(rateKbit !== undefined ? { rateKbit: rateKbit as number } : {}),
  };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new HttpError(413, "request body over 64 KiB");
    chunks.push(chunk as Buffer);
  }
  try {
    return chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "body is not JSON");
  }
}

function parsePartition(body: unknown): PartitionRequest {
  const groups = (body as { groups?: unknown }).groups;
  const mode = (body as { mode?: unknown }).mode;
  if (!Array.isArray(groups) || !groups.every((group) => Array.isArray(group) && group.every((name) => typeof name === "string"))) {
    throw new HttpError(400, "groups: expected an array of arrays of node names");
  }
  if (mode !== undefined && mode !== "blackhole" && mode !== "reset") throw new HttpError(400, "mode: expected blackhole or reset");
  return { groups: groups as string[][], ...(mode ? { mode } : {}) };
}

/**
 * Serves the stack's fault handles on loopback, behind a bearer token, so suites running in
 * vitest workers can kill, pause or partition what the harness process started.
 */
export class ControlServer {
  readonly token = randomBytes(18).toString("base64url");
  #server: Server;
  #stack: ControlledStack;
  /** Dead-man undo timers by resource (`nodes/nats-2`, `services/chat-0`, `network`). */
  readonly #leases = new Map<string, NodeJS.Timeout>();

  private constructor(stack: ControlledStack) {
    this.#stack = stack;
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  static async start(stack: ControlledStack): Promise<ControlServer> {
    const server = new ControlServer(stack);
    await new Promise<void>((resolve, reject) => {
      server.#server.once("error", reject);
      server.#server.listen(0, "127.0.0.1", resolve);
    });
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  describe(): StackDescription {
    const stack = this.#stack;
    return {
      nodes: stack.nodes.map((node) => ({
        name: node.name,
        clientUrl: node.clientUrl,
        monitoringUrl: node.monitoringUrl,
        running: node.running,
        ...(node.disk ? { disk: true } : {}),
      })),
      services: stack.services.map((replica) => ({
        name: replica.name,
        service: replica.service,
        index: replica.index,
        running: replica.running,
      })),
      gateways: stack.gateways.map((gateway) => ({ name: gateway.name, url: gateway.url, running: gateway.running })),
      network: stack.network !== undefined,
      ...(stack.replaceNode ? { replaceNodes: true } : {}),
      ...(stack.network && stack.networkKind ? { networkKind: stack.networkKind } : {}),
      ...(stack.network ? { degrade: degradeAbilities(stack.network) } : {}),
    };
  }

  close(): Promise<void> {
    for (const timer of this.#leases.values()) clearTimeout(timer);
    this.#leases.clear();
    this.#server.closeAllConnections();
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      if (request.headers.authorization !== `Bearer ${this.token}`) throw new HttpError(401, "missing or wrong bearer token");
      await this.#route(request);
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(this.describe()));
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: (error as Error).message }));
    }
  }

  /**
   * A fault sent with `?heal_after_ms=N` undoes itself N ms later unless an undo of the same
   * resource came first: whoever asked for it may die mid-fault, the stack heals anyway.
   */
  #lease(request: IncomingMessage, key: string, action: string, undo: () => Promise<void>): void {
    const existing = this.#leases.get(key);
    if (existing) clearTimeout(existing);
    this.#leases.delete(key);
    const healAfterMs = Number(new URL(request.url ?? "/", "http://control").searchParams.get("heal_after_ms") ?? Number.NaN);
    if (UNDO[action] === undefined || !Number.isFinite(healAfterMs) || healAfterMs <= 0) return;
    const timer = setTimeout(() => {
      this.#leases.delete(key);
      undo().catch(() => {});
    }, healAfterMs);
    timer.unref();
    this.#leases.set(key, timer);
  }

  async #route(request: IncomingMessage): Promise<void> {
    const path = new URL(request.url ?? "/", "http://control").pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const [area, name, action] = path;
    if (request.method === "GET" && area === "stack" && path.length === 1) return;
    if (request.method !== "POST") throw new HttpError(405, "use GET /stack or POST an action");
    const stack = this.#stack;
    if (area === "nodes" && name && action) {
      const node = stack.nodes.find((candidate) => candidate.name === name);
      if (!node) throw new HttpError(404, `no node ${name}`);
      if (action === "replace") {
        if (!stack.replaceNode) throw new HttpError(409, "this stack cannot replace nodes");
        await stack.replaceNode(name);
        return;
      }
      if (!(NODE_ACTIONS as readonly string[]).includes(action))
        throw new HttpError(404, `node action must be one of ${NODE_ACTIONS.join(", ")}, replace`);
      this.#lease(request, `nodes/${name}`, action, () => nodeAction(node, UNDO[action] as NodeAction));
      return nodeAction(node, action as NodeAction);
    }
    if ((area === "services" || area === "gateways") && name && action) {
      const replicas: readonly ControlledReplica[] = area === "services" ? stack.services : stack.gateways;
      const replica = replicas.find((candidate) => candidate.name === name);
      if (!replica) throw new HttpError(404, `no ${area === "services" ? "service replica" : "gateway"} ${name}`);
      if (!(REPLICA_ACTIONS as readonly string[]).includes(action))
        throw new HttpError(404, `action must be one of ${REPLICA_ACTIONS.join(", ")}`);
      this.#lease(request, `${area}/${name}`, action, () => replica.start());
      return replica[action as ReplicaAction]();
    }
    if (area === "network" && (name === "partition" || name === "heal" || name === "degrade") && !action) {
      const network = stack.network;
      if (!network) throw new HttpError(409, "this stack was started without network faults");
      this.#lease(request, "network", name, () => network.heal());
      if (name === "heal") return network.heal();
      if (name === "degrade") {
        const degradation = parseDegrade(await readJson(request));
        const cannot = network.degrade ? network.cannotDegrade?.(degradation) : "this network cannot slow links or make them lossy";
        if (cannot || !network.degrade) throw new HttpError(409, cannot ?? "this network cannot slow links or make them lossy");
        return network.degrade(degradation);
      }
      const { groups, mode } = parsePartition(await readJson(request));
      return network.partition(groups, mode ? { mode } : {});
    }
    throw new HttpError(404, `unknown control path /${path.join("/")}`);
  }
}
