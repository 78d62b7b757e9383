import type { LinkDegradation, Network, PartitionOptions } from "../../stack.ts";
import { LinkProxy, type LinkState } from "./link-proxy.ts";
import { NetworkError } from "./network-error.ts";
import { groupOfEachNode } from "./partition-groups.ts";

export interface NodeRoute {
  readonly name: string;
  readonly clusterPort: number;
  /** Where the node listens (default 127.0.0.1). */
  readonly host?: string;
  /** The node's client port: clients then connect through a proxy of their own (`clientPort(name)`), so client links can be degraded too. */
  readonly clientPort?: number;
  /** Where that client port is, when not on `host` (a container's port published on 127.0.0.1). */
  readonly clientHost?: string;
}

export interface LocalNetworkOptions {
  /** Where the route proxies listen (default 127.0.0.1): containers reach this machine at their bridge's address. Client proxies stay on 127.0.0.1. */
  readonly routeHost?: string;
}

export interface LinkView {
  readonly from: string;
  readonly to: string;
  readonly state: LinkState;
  readonly degraded: boolean;
  readonly connections: number;
}

const viewOf = (link: LinkProxy): LinkView => ({
  from: link.from,
  to: link.to,
  state: link.state,
  degraded: link.degraded,
  connections: link.connections,
});

/** The `from` of a client link: whoever connects to the node's client port. */
const CLIENTS = "clients";

/**
 * Route traffic of a local cluster through TCP proxies, cut and healed on demand: the network
 * that runs anywhere (no root, no namespaces; `KernelNetwork` is the real one where it works).
 * A proxy per directed route link cuts each direction on its own and can blackhole (sockets
 * open, nothing forwarded) as well as reset. Nodes dial each other only through these links:
 * their `cluster.routes` point at the proxies, and their advertised route address is a closed
 * port, so gossip cannot hand out a real port that bypasses them (see `routeConfigFor`).
 * Client connections go through a proxy per node too (when given client ports): partitions
 * leave them open, `degrade` can slow them or make them lossy.
 */
export class LocalNetwork implements Network {
  readonly #links: LinkProxy[];
  readonly #clientLinks: LinkProxy[];
  readonly #nodes: readonly string[];
  readonly #routeHost: string;
  #closed = false;

  private constructor(nodes: readonly string[], links: LinkProxy[], clientLinks: LinkProxy[], routeHost: string) {
    this.#nodes = nodes;
    this.#links = links;
    this.#clientLinks = clientLinks;
    this.#routeHost = routeHost;
  }

  /**
   * Opens a proxy for every ordered pair: each node dials every peer through its own link, as
   * with direct routes, so a node that starts (or restarts) last connects at once instead of
   * waiting for its peers' reconnect timers.
   */
  static async create(nodes: readonly NodeRoute[], options: LocalNetworkOptions = {}): Promise<LocalNetwork> {
    const routeHost = options.routeHost ?? "127.0.0.1";
    const links: LinkProxy[] = [];
    const clientLinks: LinkProxy[] = [];
    try {
      for (const from of nodes) {
        for (const to of nodes) if (from !== to) links.push(await LinkProxy.listen(from.name, to.name, to.clusterPort, to.host, routeHost));
      }
      for (const node of nodes)
        if (node.clientPort !== undefined)
          clientLinks.push(await LinkProxy.listen(CLIENTS, node.name, node.clientPort, node.clientHost ?? node.host));
    } catch (error) {
      await Promise.all([...links, ...clientLinks].map((link) => link.close()));
      throw error;
    }
    return new LocalNetwork(
      nodes.map((node) => node.name),
      links,
      clientLinks,
      routeHost,
    );
  }

  /** The loopback port clients of node `name` connect to (its client proxy), when it has one. */
  clientPort(name: string): number | undefined {
    return this.#clientLinks.find((link) => link.to === name)?.port;
  }

  /** The route URLs node `name` dials: one proxy per peer. */
  routesFrom(name: string): string[] {
    return this.#links.filter((link) => link.from === name).map((link) => `nats://${this.#routeHost}:${link.port}`);
  }

  /** Each directed link (dialer `from`, listener `to`) and its state, e.g. for progress output and tests. */
  links(): LinkView[] {
    return this.#links.map(viewOf);
  }

  /** Each node's client link (`from` is "clients"). */
  clientLinks(): LinkView[] {
    return this.#clientLinks.map(viewOf);
  }

  /**
   * Cuts every link between different groups, both directions; links inside a group stay open.
   * Nodes named in no group form one more group together ("the rest").
   */
  async partition(groups: readonly (readonly string[])[], options: PartitionOptions = {}): Promise<void> {
    if (this.#closed) throw NetworkError.closed();
    const groupOf = groupOfEachNode(this.#nodes, groups);
    this.cutLinks((from, to) => groupOf.get(from) !== groupOf.get(to), options);
  }

  /** Cuts each link (both directions of a route) for which `isCut(dialer, listener)` holds; opens the others. */
  cutLinks(isCut: (from: string, to: string) => boolean, options: PartitionOptions = {}): void {
    if (this.#closed) throw NetworkError.closed();
    const cut: LinkState = options.mode ?? "blackhole";
    for (const link of this.#links) link.setState(isCut(link.from, link.to) ? cut : "open");
  }

  /** Node `name` now listens on `host` (a replacement on a new address): its links dial it there from now on. */
  moveNode(name: string, host: string): void {
    for (const link of this.#links) if (link.to === name) link.targetHost = host;
  }

  async heal(): Promise<void> {
    for (const link of this.#links) link.setState("open");
    for (const link of [...this.#links, ...this.#clientLinks]) link.degrade(undefined);
  }

  cannotDegrade(degradation: Omit<LinkDegradation, "seed">): string | undefined {
    if ((degradation.rateKbit ?? 0) > 0)
      return "the proxy network cannot cap bandwidth (tc htb needs an interface per node: the kernel network, or Docker's containers without --network proxy)";
    if (degradation.links !== "routes" && this.#clientLinks.length === 0)
      return "this stack's clients connect to its nodes directly (no client proxies)";
    for (const name of degradation.nodes ?? [])
      if (!this.#nodes.includes(name)) return `no node named "${name}" (nodes: ${this.#nodes.join(", ")})`;
    return undefined;
  }

  /** Every route link from or to a chosen node (and/or its client link) delays each segment and retransmits lost ones (see `DelayLine`). */
  async degrade(degradation: LinkDegradation): Promise<void> {
    if (this.#closed) throw NetworkError.closed();
    const problem = this.cannotDegrade(degradation);
    if (problem) throw new NetworkError(`degrade links: ${problem}`);
    const chosen = new Set(degradation.nodes ?? this.#nodes);
    const shape = {
      delayMs: degradation.delayMs ?? 0,
      jitterMs: degradation.jitterMs ?? 0,
      loss: degradation.loss ?? 0,
      seed: degradation.seed,
    };
    const routes = degradation.links !== "clients";
    const clients = degradation.links !== "routes";
    this.#links.forEach((link, index) => {
      const touched = routes && (chosen.has(link.from) || chosen.has(link.to));
      link.degrade(touched ? { ...shape, seed: shape.seed + index } : undefined);
    });
    this.#clientLinks.forEach((link, index) => {
      link.degrade(clients && chosen.has(link.to) ? { ...shape, seed: shape.seed + this.#links.length + index } : undefined);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#links, ...this.#clientLinks].map((link) => link.close()));
  }
}
