import type { Network, PartitionOptions } from "../../stack.ts";
import { LinkProxy, type LinkState } from "./link-proxy.ts";
import { NetworkError } from "./network-error.ts";
import { groupOfEachNode } from "./partition-groups.ts";

export interface NodeRoute {
  readonly name: string;
  readonly clusterPort: number;
  /** Where the node listens (default 127.0.0.1). */
  readonly host?: string;
}

/**
 * Route traffic of a local cluster through TCP proxies, cut and healed on demand: the network
 * that runs anywhere (no root, no namespaces; `KernelNetwork` is the real one where it works).
 * A proxy per directed route link cuts each direction on its own and can blackhole (sockets
 * open, nothing forwarded) as well as reset. Nodes dial each other only through these links:
 * their `cluster.routes` point at the proxies, and their advertised route address is a closed
 * port, so gossip cannot hand out a real port that bypasses them (see `routeConfigFor`).
 */
export class LocalNetwork implements Network {
  readonly #links: LinkProxy[];
  readonly #nodes: readonly string[];
  #closed = false;

  private constructor(nodes: readonly string[], links: LinkProxy[]) {
    this.#nodes = nodes;
    this.#links = links;
  }

  /**
   * Opens a proxy for every ordered pair: each node dials every peer through its own link, as
   * with direct routes, so a node that starts (or restarts) last connects at once instead of
   * waiting for its peers' reconnect timers.
   */
  static async create(nodes: readonly NodeRoute[]): Promise<LocalNetwork> {
    const links: LinkProxy[] = [];
    try {
      for (const from of nodes) {
        for (const to of nodes) if (from !== to) links.push(await LinkProxy.listen(from.name, to.name, to.clusterPort, to.host));
      }
    } catch (error) {
      await Promise.all(links.map((link) => link.close()));
      throw error;
    }
    return new LocalNetwork(
      nodes.map((node) => node.name),
      links,
    );
  }

  /** The route URLs node `name` dials: one proxy per peer. */
  routesFrom(name: string): string[] {
    return this.#links.filter((link) => link.from === name).map((link) => `nats://127.0.0.1:${link.port}`);
  }

  /** Each directed link (dialer `from`, listener `to`) and its state, e.g. for progress output and tests. */
  links(): { from: string; to: string; state: LinkState; connections: number }[] {
    return this.#links.map((link) => ({ from: link.from, to: link.to, state: link.state, connections: link.connections }));
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
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#links.map((link) => link.close()));
  }
}
