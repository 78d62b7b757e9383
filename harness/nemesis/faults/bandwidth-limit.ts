import type { LinkKind } from "../../providers/stack.ts";
import { cannotDegrade, degradeLinks } from "./degrade-links.ts";
import type { FaultDefinition } from "./fault.ts";

export interface BandwidthLimit {
  readonly kind: "bandwidth-limit";
  /** Routes between nodes (default), client connections, or both. */
  readonly links?: LinkKind;
  /** Only what these nodes send; every node when omitted. */
  readonly nodes?: readonly string[];
  /** The cap per node, default 1000 kbit/s (1 Mbit/s). */
  readonly rateKbit?: number;
}

const degradation = (spec: BandwidthLimit) => ({
  links: spec.links ?? "routes",
  ...(spec.nodes ? { nodes: spec.nodes } : {}),
  rateKbit: spec.rateKbit ?? 1000,
});

/**
 * A thin pipe (a saturated or throttled link): what each chosen node sends on the links is capped
 * by tc htb on its interface, queued rather than dropped, so replication and catch-up slow down.
 * Needs a network interface per node (the kernel network, Docker's containers); heal lifts the cap.
 */
export const bandwidthLimit: FaultDefinition<BandwidthLimit> = {
  kind: "bandwidth-limit",
  unsupported: (target, spec) => cannotDegrade(target, degradation(spec)),
  inject: (spec, context) => degradeLinks("bandwidth-limit", degradation(spec), context),
};
