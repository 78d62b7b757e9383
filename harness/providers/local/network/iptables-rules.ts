import type { LinkDegradation, PartitionOptions } from "../../stack.ts";

/** A whole filter table for `iptables-restore`: the rules given, nothing else. */
export function filterTable(rules: readonly string[]): string {
  return ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ...rules, "COMMIT", ""].join("\n");
}

/** Drops (or, in `reset` mode, rejects TCP with a reset) everything to and from `peer`. */
export function cutRules(peer: string, mode: NonNullable<PartitionOptions["mode"]>): string[] {
  const reset = mode === "reset";
  return [
    ...(reset ? [`-A INPUT -s ${peer}/32 -p tcp -j REJECT --reject-with tcp-reset`] : []),
    `-A INPUT -s ${peer}/32 -j DROP`,
    ...(reset ? [`-A OUTPUT -d ${peer}/32 -p tcp -j REJECT --reject-with tcp-reset`] : []),
    `-A OUTPUT -d ${peer}/32 -j DROP`,
  ];
}

/**
 * Loss as iptables' deterministic `statistic --mode nth`: every ⌈1/loss⌉-th packet a rule sees is
 * dropped, the first at an offset from the seed (replayable, though periodic rather than random).
 */
function lossMatch(loss: number, seed: number): string {
  const every = Math.max(1, Math.round(1 / loss));
  return `-m statistic --mode nth --every ${every} --packet ${seed % every}`;
}

/** A node as packet-loss rules see it: its name and its address on the nodes' network. */
export interface AddressedNode {
  readonly name: string;
  readonly address: string;
}

/**
 * The filter rules, per node name, that make the degradation's links lossy inside the nodes' own
 * network namespaces: route packets dropped as they arrive at a chosen node (and as they leave it
 * for nodes not chosen, so each packet meets one rule), client packets both ways. TCP retransmits
 * them, as on a lossy network. No entry for a node without rules.
 */
export function lossRules(
  nodes: readonly AddressedNode[],
  degradation: LinkDegradation,
  ports: { readonly cluster: number; readonly client: number },
): Map<string, string[]> {
  const loss = degradation.loss ?? 0;
  const byNode = new Map<string, string[]>();
  if (loss <= 0) return byNode;
  const names = degradation.nodes ?? nodes.map((node) => node.name);
  const chosen = nodes.filter((node) => names.includes(node.name));
  chosen.forEach((node, index) => {
    const drop = (rule: string, offset: number) => `${rule} ${lossMatch(loss, degradation.seed + index * 7 + offset)} -j DROP`;
    const rules: string[] = [];
    if (degradation.links !== "clients") {
      rules.push(drop(`-A INPUT -p tcp -m multiport --ports ${ports.cluster}`, 0));
      const others = nodes.filter((peer) => !chosen.includes(peer));
      for (const [i, peer] of others.entries()) {
        rules.push(drop(`-A OUTPUT -d ${peer.address}/32 -p tcp -m multiport --ports ${ports.cluster}`, i + 1));
      }
    }
    if (degradation.links !== "routes") {
      rules.push(drop(`-A INPUT -p tcp --dport ${ports.client}`, 3), drop(`-A OUTPUT -p tcp --sport ${ports.client}`, 5));
    }
    byNode.set(node.name, rules);
  });
  return byNode;
}
