import { existsSync } from "node:fs";
import { NamespaceFaults, NetworkError, systemCommand } from "../local/network/index.ts";
import type { LinkDegradation, Network, PartitionOptions } from "../stack.ts";
import { dockerClient } from "./docker-client.ts";
import type { DockerNode } from "./docker-node.ts";
import { GAUNTLET_LABEL } from "./labels.ts";

/** Stacks' networks are /24s of this /16 (the kernel network of the local provider uses 10.213). */
const SUBNET_PREFIX = "10.214";
const BIN_DIRS = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

/** A user-defined bridge network of one stack, on a /24 of its own so every node's address is known before it starts. */
export interface StackNetwork {
  readonly name: string;
  readonly id: string;
  /** The address of host number `index` (1–253) on it. */
  address(index: number): string;
}

export async function createStackNetwork(stackId: string): Promise<StackNetwork> {
  const dockerode = (await dockerClient()).container.dockerode;
  const name = `gauntlet-${stackId}`;
  const first = Number.parseInt(stackId, 16) % 256;
  for (let attempt = 0; attempt < 256; attempt++) {
    const third = (first + attempt) % 256;
    try {
      const network = await dockerode.createNetwork({
        Name: name,
        Driver: "bridge",
        CheckDuplicate: true,
        IPAM: { Config: [{ Subnet: `${SUBNET_PREFIX}.${third}.0/24`, Gateway: `${SUBNET_PREFIX}.${third}.254` }] },
        Labels: { [GAUNTLET_LABEL]: stackId },
      });
      return { name, id: network.id, address: (index) => `${SUBNET_PREFIX}.${third}.${index}` };
    } catch (error) {
      if (!/overlap/i.test((error as Error).message)) throw error;
    }
  }
  throw NetworkError.noFreeSubnet(SUBNET_PREFIX);
}

/** Why partitions cannot be cut inside the containers here (undefined: they can). */
export function containerPartitionsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (nsenter into the containers' network namespaces)";
  const missing = ["nsenter", "iptables-restore"].filter((tool) => !BIN_DIRS.some((dir) => existsSync(`${dir}/${tool}`)));
  return missing.length > 0 ? `${missing.join(" and ")} not installed (Debian: apt-get install util-linux iptables)` : undefined;
}

/** The ports every node container listens on (the same in each: each has an address of its own). */
export const CONTAINER_PORTS = { client: 4222, cluster: 6222, monitoring: 8222 } as const;

/**
 * Partitions, lossy and capped links between a Docker stack's nodes, made inside each container's
 * network namespace, entered with `nsenter` (`NamespaceFaults`: iptables and tc, as the local
 * kernel network). The containers' images need none of those tools. `nodes` is asked each time: a
 * replaced node's container stands in its slot; a node that is down has no namespace and comes back
 * with none of the rules.
 */
export class ContainerNetwork implements Network {
  readonly #nodes: () => readonly DockerNode[];
  readonly #faults: NamespaceFaults;

  constructor(nodes: () => readonly DockerNode[]) {
    this.#nodes = nodes;
    this.#faults = new NamespaceFaults({
      nodes,
      inNamespace: (name, command, input) => {
        const pid = nodes().find((node) => node.name === name)?.pid;
        return pid === undefined ? Promise.resolve("") : systemCommand(["nsenter", "-t", String(pid), "-n", ...command], input);
      },
      ports: CONTAINER_PORTS,
      cannotDelay:
        "iptables in the containers cannot delay packets (that needs tc netem, which this kernel lacks): use --network proxy (routes through Gauntlet's proxies)",
    });
  }

  get nodes(): readonly DockerNode[] {
    return this.#nodes();
  }

  partition(groups: readonly (readonly string[])[], options: PartitionOptions = {}): Promise<void> {
    return this.#faults.partition(groups, options);
  }

  heal(): Promise<void> {
    return this.#faults.heal();
  }

  cannotDegrade(degradation: Omit<LinkDegradation, "seed">): string | undefined {
    return this.#faults.cannotDegrade(degradation);
  }

  degrade(degradation: LinkDegradation): Promise<void> {
    return this.#faults.degrade(degradation);
  }

  /** The filter rules in effect in a node's container (`iptables -S`). */
  rules(name: string): Promise<string> {
    return this.#faults.rules(name);
  }

  /** The queueing disciplines on a node's `eth0`: an htb root while its bandwidth is capped. */
  queueing(name: string): Promise<string> {
    return this.#faults.queueing(name);
  }
}
