import type { LinkDegradation, PartitionOptions } from "../../stack.ts";
import { type AddressedNode, cutRules, filterTable, lossRules } from "./iptables-rules.ts";
import { NetworkError } from "./network-error.ts";
import { groupOfEachNode } from "./partition-groups.ts";
import { RateLimits } from "./rate-limits.ts";

/** Runs `command` (with `input` on stdin) inside node `name`'s network namespace; resolves "" when it has none now (a container that is down). */
export type InNamespace = (name: string, command: readonly string[], input?: string) => Promise<string>;

export interface NamespaceFaultsOptions {
  /** The nodes, asked each time (a replaced node stands in its slot). */
  readonly nodes: () => readonly AddressedNode[];
  readonly inNamespace: InNamespace;
  readonly ports: { readonly cluster: number; readonly client: number };
  /** Why these namespaces cannot delay packets, with what to use instead. */
  readonly cannotDelay: string;
}

/**
 * Link faults for nodes that each have a network namespace of their own (the local kernel
 * network's, Docker's containers), made inside those namespaces: a partition is iptables DROP
 * (INPUT from and OUTPUT to the other side's addresses, `cutRules`), loss is iptables `statistic`
 * drops (`lossRules`), a bandwidth cap is tc htb (`RateLimits`); a heal empties the filter tables
 * and lifts the caps. Nodes see what they would see on a real network, with TCP retransmitting.
 */
export class NamespaceFaults {
  readonly #options: NamespaceFaultsOptions;
  readonly #cuts = new Map<string, string[]>();
  readonly #losses = new Map<string, string[]>();
  readonly #rateLimits: RateLimits;

  constructor(options: NamespaceFaultsOptions) {
    this.#options = options;
    this.#rateLimits = new RateLimits((name, lines) => options.inNamespace(name, ["tc", "-batch", "-"], lines), options.ports);
  }

  /** Drops every packet between nodes in different groups (both directions, in both namespaces); replaces any earlier partition. */
  async partition(groups: readonly (readonly string[])[], options: PartitionOptions = {}): Promise<void> {
    const nodes = this.#options.nodes();
    const groupOf = groupOfEachNode(
      nodes.map((node) => node.name),
      groups,
    );
    const mode = options.mode ?? "blackhole";
    for (const node of nodes) {
      const apart = nodes.filter((peer) => groupOf.get(peer.name) !== groupOf.get(node.name));
      this.#cuts.set(
        node.name,
        apart.flatMap((peer) => cutRules(peer.address, mode)),
      );
    }
    await this.#applyFilters();
  }

  /** Every link open again, none lossy or capped. */
  async heal(): Promise<void> {
    this.#cuts.clear();
    this.#losses.clear();
    await this.#applyFilters();
    await this.#rateLimits.lift();
  }

  cannotDegrade(degradation: Omit<LinkDegradation, "seed">): string | undefined {
    if ((degradation.delayMs ?? 0) > 0 || (degradation.jitterMs ?? 0) > 0) return this.#options.cannotDelay;
    const nodes = this.#options.nodes();
    for (const name of degradation.nodes ?? []) if (!nodes.some((node) => node.name === name)) return `no node named "${name}"`;
    return undefined;
  }

  /** Real packet loss and bandwidth caps on the chosen nodes, replacing any earlier ones; a partition stays as it is. */
  async degrade(degradation: LinkDegradation): Promise<void> {
    const problem = this.cannotDegrade(degradation);
    if (problem) throw new NetworkError(`degrade links: ${problem}`);
    const nodes = this.#options.nodes();
    this.#losses.clear();
    for (const [name, rules] of lossRules(nodes, degradation, this.#options.ports)) this.#losses.set(name, rules);
    await this.#applyFilters();
    await this.#rateLimits.apply(
      nodes.map((node) => node.name),
      degradation,
    );
  }

  /** The filter rules in effect in a node's namespace (`iptables -S`), e.g. for tests and evidence. */
  rules(name: string): Promise<string> {
    return this.#options.inNamespace(name, ["iptables", "-S"]);
  }

  /** The queueing disciplines on a node's `eth0` (`tc qdisc show`): an htb root while its bandwidth is capped. */
  queueing(name: string): Promise<string> {
    return this.#options.inNamespace(name, ["tc", "qdisc", "show", "dev", "eth0"]);
  }

  async #applyFilters(): Promise<void> {
    await Promise.all(
      this.#options
        .nodes()
        .map((node) =>
          this.#options.inNamespace(
            node.name,
            ["iptables-restore"],
            filterTable([...(this.#cuts.get(node.name) ?? []), ...(this.#losses.get(node.name) ?? [])]),
          ),
        ),
    );
  }
}
