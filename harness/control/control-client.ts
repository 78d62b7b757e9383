import { GauntletError } from "../../lib/errors/index.ts";
import type { LinkDegradation, Network, NodeHandle, PartitionOptions } from "../providers/stack.ts";
import type { DegradeAbility, NodeAction, ReplicaAction, StackDescription } from "./control-protocol.ts";

export class ControlError extends GauntletError {
  override name = "ControlError";
}

/** Talks to a harness's control API; its handles implement the same interfaces as local ones. */
export class ControlClient {
  readonly url: string;
  #token: string;
  #description: StackDescription | undefined;
  /** Faults sent from now on undo themselves this long after (the server's dead-man), unless healed first. */
  healAfterMs: number | undefined;

  constructor(url: string, token: string) {
    this.url = url;
    this.#token = token;
  }

  async #call(method: "GET" | "POST", path: string, body?: unknown): Promise<StackDescription> {
    const lease = method === "POST" && this.healAfterMs !== undefined ? `?heal_after_ms=${Math.round(this.healAfterMs)}` : "";
    const response = await fetch(`${this.url}${path}${lease}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}`, ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(120_000),
    });
    const payload = (await response.json()) as StackDescription | { error: string };
    if (!response.ok)
      throw new ControlError(`control ${method} ${path}: ${"error" in payload ? payload.error : response.status}`, { exitCode: 1 });
    this.#description = payload as StackDescription;
    return this.#description;
  }

  describe(): Promise<StackDescription> {
    return this.#call("GET", "/stack");
  }

  node(name: string, action: NodeAction): Promise<StackDescription> {
    return this.#call("POST", `/nodes/${encodeURIComponent(name)}/${action}`);
  }

  /** Replaces node `name` (see `NodeReplacing`); the answer lists the replacement in its place. */
  replaceNode(name: string): Promise<StackDescription> {
    return this.#call("POST", `/nodes/${encodeURIComponent(name)}/replace`);
  }

  replica(area: "services" | "gateways", name: string, action: ReplicaAction): Promise<StackDescription> {
    return this.#call("POST", `/${area}/${encodeURIComponent(name)}/${action}`);
  }

  partition(groups: readonly (readonly string[])[], options: PartitionOptions = {}): Promise<StackDescription> {
    return this.#call("POST", "/network/partition", { groups, ...options });
  }

  heal(): Promise<StackDescription> {
    return this.#call("POST", "/network/heal");
  }

  degrade(degradation: LinkDegradation): Promise<StackDescription> {
    return this.#call("POST", "/network/degrade", degradation);
  }

  /** Why the stack's network cannot apply `degradation`, as its last description says (undefined: it can). */
  cannotDegrade(degradation: Omit<LinkDegradation, "seed">): string | undefined {
    const abilities = this.#description?.degrade;
    if (!abilities) return "this stack's network cannot slow links or make them lossy";
    const kinds = degradation.links === "all" ? (["routes", "clients"] as const) : [degradation.links];
    const wanted: DegradeAbility[] = [];
    for (const kind of kinds) {
      if ((degradation.delayMs ?? 0) > 0 || (degradation.jitterMs ?? 0) > 0) wanted.push(`delay-${kind}`);
      if ((degradation.loss ?? 0) > 0) wanted.push(`loss-${kind}`);
      if ((degradation.rateKbit ?? 0) > 0) wanted.push(`rate-${kind}`);
    }
    return wanted.map((ability) => abilities[ability]).find((reason) => reason !== null) ?? undefined;
  }

  /** Node handles backed by this API: `running` is as of the last answer. */
  async nodes(): Promise<NodeHandle[]> {
    const description = this.#description ?? (await this.describe());
    return description.nodes.map((node) => {
      const running = () => this.#description?.nodes.find((candidate) => candidate.name === node.name)?.running ?? false;
      const act = (action: NodeAction) => async () => {
        await this.node(node.name, action);
      };
      return {
        name: node.name,
        clientUrl: node.clientUrl,
        monitoringUrl: node.monitoringUrl,
        get running() {
          return running();
        },
        kill: act("kill"),
        stop: async (options?: { lameDuck?: boolean }) => {
          await this.node(node.name, options?.lameDuck ? "lame-duck" : "stop");
        },
        start: act("start"),
        pause: act("pause"),
        resume: act("resume"),
        ...(node.disk ? { disk: { fill: act("fill-disk"), free: act("free-disk") } } : {}),
      };
    });
  }

  network(): Network {
    return {
      partition: async (groups, options) => {
        await this.partition(groups, options);
      },
      heal: async () => {
        await this.heal();
      },
      ...(this.#description?.degrade
        ? {
            degrade: async (degradation: LinkDegradation) => {
              await this.degrade(degradation);
            },
            cannotDegrade: (degradation: Omit<LinkDegradation, "seed">) => this.cannotDegrade(degradation),
          }
        : {}),
    };
  }
}
