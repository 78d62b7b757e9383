import { existsSync } from "node:fs";
import { crashGuard } from "../../../process/index.ts";
import type { LinkDegradation, Network, PartitionOptions } from "../../stack.ts";
import { NamespaceFaults } from "./namespace-faults.ts";
import { NetworkError } from "./network-error.ts";
import { SUBNET_PREFIX, Subnet } from "./subnet.ts";
import { systemCommand } from "./system-command.ts";

const BIN_DIRS = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];
const REQUIRED = ["ip", "iptables-restore"];
/** The root namespace's end of the bridge: how clients, services, gateways and probes reach the nodes. */
const HOST_INDEX = 254;

/** Every node of a kernel network listens on these ports of its own address. */
export const KERNEL_PORTS = { client: 4222, cluster: 6222, monitoring: 8222 } as const;

/** Why this machine cannot run a kernel network (undefined: it can). */
export function kernelNetworkUnavailable(): string | undefined {
  if (process.platform !== "linux") return `needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "needs root (network namespaces, veth pairs and iptables)";
  const missing = REQUIRED.filter((tool) => !BIN_DIRS.some((dir) => existsSync(`${dir}/${tool}`)));
  if (missing.length > 0) return `${missing.join(" and ")} not installed (Debian: apt-get install iproute2 iptables)`;
  return undefined;
}

export interface KernelNode {
  readonly name: string;
  /** The node's only address, in its own namespace. */
  readonly address: string;
  readonly namespace: string;
}

/**
 * A real network for a local cluster: every node in a network namespace of its own
 * (`gauntlet-<id>-<node>`), its `eth0` one end of a veth pair whose other end is on a bridge in
 * namespace `gauntlet-<id>-br`; a private /24 of 10.213.0.0/16 that nothing on the machine uses.
 * The root namespace joins the bridge through one more veth pair (`g<id>h`, address .254): that
 * is how clients, services, gateways and probes reach the nodes, with no proxy in the data path.
 * No namespace has a default route, the root namespace routes only the /24 to its veth and the rest
 * of 10.213.0.0/16 to a blackhole, so no packet leaves what the harness made. The blackhole route
 * stays after the stack is gone (the one thing left, on purpose): a client still reconnecting, or
 * a stale target file, finds its addresses unreachable instead of routed to the real network. A partition is iptables DROP (INPUT from and OUTPUT to the
 * other side's addresses) in each node's namespace, a heal deletes those rules: the nodes see what
 * they would see on a real network, with TCP retransmitting into the void.
 * Everything else is registered with the crash guard and deleted on `close()`.
 */
export class KernelNetwork implements Network {
  readonly subnet: Subnet;
  readonly nodes: readonly KernelNode[];
  readonly #bridgeNamespace: string;
  readonly #hostLink: string;
  readonly #faults = new NamespaceFaults({
    nodes: () => this.nodes,
    inNamespace: (name, command, input) => systemCommand(["ip", "netns", "exec", this.node(name).namespace, ...command], input),
    ports: KERNEL_PORTS,
    cannotDelay: "the kernel network cannot delay packets (that needs tc netem, which this kernel lacks): use --network proxy",
  });
  #closed = false;

  private constructor(subnet: Subnet, nodes: KernelNode[], bridgeNamespace: string, hostLink: string) {
    this.subnet = subnet;
    this.nodes = nodes;
    this.#bridgeNamespace = bridgeNamespace;
    this.#hostLink = hostLink;
  }

  static async create(id: string, names: readonly string[]): Promise<KernelNetwork> {
    const unavailable = kernelNetworkUnavailable();
    if (unavailable) throw NetworkError.unavailable(unavailable);
    if (names.length > HOST_INDEX - 1) throw new NetworkError(`kernel network: at most ${HOST_INDEX - 1} nodes, got ${names.length}`);
    const subnet = await Subnet.reserve();
    // The whole prefix is a blackhole in our namespace: an address of a stack that is gone (a stale
    // target file, a client still reconnecting) is unreachable here, never routed to anything real.
    await systemCommand(["ip", "route", "replace", "blackhole", `${SUBNET_PREFIX}.0.0/16`]).catch((error: unknown) => {
      subnet.release();
      throw error;
    });
    const bridge = `gauntlet-${id}-br`;
    const hostLink = `g${id}h`;
    const nodes = names.map((name, index) => ({ name, address: subnet.host(index + 1), namespace: `gauntlet-${id}-${name}` }));
    const network = new KernelNetwork(subnet, nodes, bridge, hostLink);
    for (const namespace of [bridge, ...nodes.map((node) => node.namespace)]) crashGuard.watchNamespace(namespace);
    crashGuard.watchLink(hostLink);
    try {
      const nodeLink = (index: number) => `g${id}n${index + 1}`;
      const bridgePort = (index: number) => `g${id}b${index + 1}`;
      await systemCommand(
        ["ip", "-batch", "-"],
        [
          `netns add ${bridge}`,
          ...nodes.map((node) => `netns add ${node.namespace}`),
          ...nodes.map((_, index) => `link add ${nodeLink(index)} type veth peer name ${bridgePort(index)}`),
          `link add ${hostLink} type veth peer name ${hostLink}b`,
          ...nodes.flatMap((node, index) => [
            `link set ${nodeLink(index)} netns ${node.namespace}`,
            `link set ${bridgePort(index)} netns ${bridge}`,
          ]),
          `link set ${hostLink}b netns ${bridge}`,
          `addr add ${subnet.host(HOST_INDEX)}/24 dev ${hostLink}`,
          `link set ${hostLink} up`,
          "",
        ].join("\n"),
      );
      const ports = [...nodes.map((_, index) => bridgePort(index)), `${hostLink}b`];
      await systemCommand(
        ["ip", "-n", bridge, "-batch", "-"],
        [
          "link set lo up",
          "link add br0 type bridge",
          "link set br0 up",
          ...ports.flatMap((port) => [`link set ${port} master br0`, `link set ${port} up`]),
          "",
        ].join("\n"),
      );
      await Promise.all(
        nodes.map((node, index) =>
          systemCommand(
            ["ip", "-n", node.namespace, "-batch", "-"],
            [
              "link set lo up",
              `link set ${nodeLink(index)} name eth0`,
              `addr add ${node.address}/24 dev eth0`,
              "link set eth0 up",
              "",
            ].join("\n"),
          ),
        ),
      );
    } catch (error) {
      await network.close();
      throw error;
    }
    return network;
  }

  node(name: string): KernelNode {
    const node = this.nodes.find((candidate) => candidate.name === name);
    if (!node)
      throw NetworkError.unknownNode(
        name,
        this.nodes.map((known) => known.name),
      );
    return node;
  }

  partition(groups: readonly (readonly string[])[], options: PartitionOptions = {}): Promise<void> {
    if (this.#closed) throw NetworkError.closed();
    return this.#faults.partition(groups, options);
  }

  /** Deletes every rule and limit: all links open again, none lossy or capped. */
  async heal(): Promise<void> {
    if (this.#closed) return;
    await this.#faults.heal();
  }

  cannotDegrade(degradation: Omit<LinkDegradation, "seed">): string | undefined {
    return this.#faults.cannotDegrade(degradation);
  }

  /** Real packet loss and bandwidth caps in the chosen nodes' namespaces (`NamespaceFaults`). */
  degrade(degradation: LinkDegradation): Promise<void> {
    if (this.#closed) throw NetworkError.closed();
    return this.#faults.degrade(degradation);
  }

  /** The filter rules in effect in a node's namespace (`iptables -S`), e.g. for tests and evidence. */
  rules(name: string): Promise<string> {
    return this.#faults.rules(name);
  }

  /** The queueing disciplines on a node's `eth0`: an htb root while its bandwidth is capped. */
  queueing(name: string): Promise<string> {
    return this.#faults.queueing(name);
  }

  /** Deletes the links and namespaces (stop the nodes first: a namespace lives on while a process is in it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const namespaces = [this.#bridgeNamespace, ...this.nodes.map((node) => node.namespace)];
    await systemCommand(
      ["ip", "-force", "-batch", "-"],
      [`link del ${this.#hostLink}`, ...namespaces.map((ns) => `netns del ${ns}`), ""].join("\n"),
    ).catch(() => {});
    for (const namespace of namespaces) crashGuard.forgetNamespace(namespace);
    crashGuard.forgetLink(this.#hostLink);
    this.subnet.release();
  }
}
