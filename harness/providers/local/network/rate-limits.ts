import type { LinkDegradation, LinkKind } from "../../stack.ts";

/** The interface every node has in its own namespace (the kernel network's and Docker's alike). */
const DEVICE = "eth0";
/** What a limited link may send at line rate before the limit holds: small, so it holds from the first kilobytes. */
const BURST = "4kb";

/** Runs `tc -batch -` with these lines in node `name`'s network namespace. */
export type TcBatch = (name: string, lines: string) => Promise<unknown>;

/**
 * `tc -batch` lines capping what a node sends on `links` at `rateKbit`: an htb qdisc on its
 * interface with one class at that rate, and u32 filters sending it route packets (either end on
 * the cluster port) and/or client packets (from the client port). htb sends unclassified packets
 * unshaped, so every other link keeps its speed.
 */
export function rateLimitLines(rateKbit: number, links: LinkKind, ports: { readonly cluster: number; readonly client: number }): string {
  const filter = (match: string) => `filter add dev ${DEVICE} parent 1: protocol ip prio 1 u32 match ip ${match} 0xffff flowid 1:1`;
  return [
    `qdisc add dev ${DEVICE} root handle 1: htb`,
    `class add dev ${DEVICE} parent 1: classid 1:1 htb rate ${rateKbit}kbit burst ${BURST} cburst ${BURST}`,
    ...(links !== "clients" ? [filter(`sport ${ports.cluster}`), filter(`dport ${ports.cluster}`)] : []),
    ...(links !== "routes" ? [filter(`sport ${ports.client}`)] : []),
    "",
  ].join("\n");
}

/**
 * Bandwidth limits (`LinkDegradation.rateKbit`) on the nodes of a network whose nodes each have a
 * namespace of their own: what each chosen node sends is capped (tc htb on its `eth0`), so a link
 * between two chosen nodes is capped both ways. Remembers which nodes it limited, to lift exactly those.
 */
export class RateLimits {
  readonly #tc: TcBatch;
  readonly #ports: { readonly cluster: number; readonly client: number };
  readonly #limited = new Set<string>();

  constructor(tc: TcBatch, ports: { readonly cluster: number; readonly client: number }) {
    this.#tc = tc;
    this.#ports = ports;
  }

  /** Limits the chosen nodes as `degradation` says (none without `rateKbit`), lifting every earlier limit first. */
  async apply(nodes: readonly string[], degradation?: LinkDegradation): Promise<void> {
    await this.lift();
    const rate = degradation?.rateKbit ?? 0;
    if (!degradation || rate <= 0) return;
    const chosen = nodes.filter((name) => (degradation.nodes ?? nodes).includes(name));
    await Promise.all(
      chosen.map(async (name) => {
        await this.#tc(name, rateLimitLines(rate, degradation.links, this.#ports));
        this.#limited.add(name);
      }),
    );
  }

  /** Removes every limit it set; a node restarted since then came back without it. */
  async lift(): Promise<void> {
    const limited = [...this.#limited];
    this.#limited.clear();
    await Promise.all(limited.map((name) => this.#tc(name, `qdisc del dev ${DEVICE} root\n`).catch(() => {})));
  }
}
