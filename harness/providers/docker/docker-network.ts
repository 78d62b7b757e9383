import { existsSync } from "node:fs";
import { cutRules, filterTable, groupOfEachNode, NetworkError, systemCommand } from "../local/network/index.ts";
import type { Network, PartitionOptions } from "../stack.ts";
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

/**
 * Partitions between a Docker stack's nodes: iptables DROP (INPUT from and OUTPUT to the other
 * side's addresses) inside each container's network namespace, entered with `nsenter`; a heal
 * empties those filter tables. The containers' images need no iptables of their own.
 */
export class ContainerNetwork implements Network {
  readonly nodes: readonly DockerNode[];

  constructor(nodes: readonly DockerNode[]) {
    this.nodes = nodes;
  }

  async partition(groups: readonly (readonly string[])[], options: PartitionOptions = {}): Promise<void> {
    const groupOf = groupOfEachNode(
      this.nodes.map((node) => node.name),
      groups,
    );
    const mode = options.mode ?? "blackhole";
    await Promise.all(
      this.nodes.map((node) => {
        const apart = this.nodes.filter((peer) => groupOf.get(peer.name) !== groupOf.get(node.name));
        return this.#applyRules(
          node,
          apart.flatMap((peer) => cutRules(peer.address, mode)),
        );
      }),
    );
  }

  async heal(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.#applyRules(node, [])));
  }

  /** The filter rules in effect in a node's container (`iptables -S`). */
  rules(name: string): Promise<string> {
    const node = this.nodes.find((candidate) => candidate.name === name);
    if (node?.pid === undefined) return Promise.resolve("");
    return systemCommand(["nsenter", "-t", String(node.pid), "-n", "iptables", "-S"]);
  }

  /** A node that is down has no namespace: it comes back with an empty table. */
  async #applyRules(node: DockerNode, rules: readonly string[]): Promise<void> {
    if (node.pid === undefined) return;
    await systemCommand(["nsenter", "-t", String(node.pid), "-n", "iptables-restore"], filterTable(rules));
  }
}
