import type { LinkKind } from "../../providers/stack.ts";
import { cannotDegrade, degradeLinks } from "./degrade-links.ts";
import type { FaultDefinition } from "./fault.ts";

export interface LossyLink {
  readonly kind: "lossy-link";
  /** Routes between nodes (default), client connections, or both. */
  readonly links?: LinkKind;
  /** Only links to or from these nodes; every node when omitted. */
  readonly nodes?: readonly string[];
  /** Probability that a TCP segment is lost, default 0.03 (3 %). */
  readonly loss?: number;
}

const degradation = (spec: LossyLink) => ({
  links: spec.links ?? "routes",
  ...(spec.nodes ? { nodes: spec.nodes } : {}),
  loss: spec.loss ?? 0.03,
});

/**
 * Packet loss on links, which TCP turns into retransmission stalls: on the kernel network real
 * drops (iptables), through the proxies a lost segment and everything behind it arrive one
 * retransmission timeout (200 ms) late. Heal restores the links.
 */
export const lossyLink: FaultDefinition<LossyLink> = {
  kind: "lossy-link",
  unsupported: (target, spec) => cannotDegrade(target, degradation(spec)),
  inject: (spec, context) => degradeLinks("lossy-link", degradation(spec), context),
};
