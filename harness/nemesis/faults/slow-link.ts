import type { LinkKind } from "../../providers/stack.ts";
import { cannotDegrade, degradeLinks } from "./degrade-links.ts";
import type { FaultDefinition } from "./fault.ts";

export interface SlowLink {
  readonly kind: "slow-link";
  /** Routes between nodes (default), client connections, or both. */
  readonly links?: LinkKind;
  /** Only links to or from these nodes; every node when omitted. */
  readonly nodes?: readonly string[];
  /** One-way delay per segment, default 50 ms. */
  readonly delayMs?: number;
  /** ± this much, uniformly, default 20 ms (segments stay in order). */
  readonly jitterMs?: number;
}

const degradation = (spec: SlowLink) => ({
  links: spec.links ?? "routes",
  ...(spec.nodes ? { nodes: spec.nodes } : {}),
  delayMs: spec.delayMs ?? 50,
  jitterMs: spec.jitterMs ?? 20,
});

/** Latency on links that keep carrying everything (a congested or distant network); heal restores them. Needs proxied links: no netem here. */
export const slowLink: FaultDefinition<SlowLink> = {
  kind: "slow-link",
  unsupported: (target, spec) => cannotDegrade(target, degradation(spec)),
  inject: (spec, context) => degradeLinks("slow-link", degradation(spec), context),
};
