import type { PartitionOptions } from "../../stack.ts";

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
