export { type LinkShape, RETRANSMIT_MS, SegmentSchedule } from "./delay-line.ts";
export { cutRules, filterTable } from "./iptables-rules.ts";
export { KERNEL_PORTS, KernelNetwork, type KernelNode, kernelNetworkUnavailable } from "./kernel-network.ts";
export { LinkProxy, type LinkState } from "./link-proxy.ts";
export { type LinkView, LocalNetwork, type NodeRoute } from "./local-network.ts";
export { NetworkError } from "./network-error.ts";
export { groupOfEachNode } from "./partition-groups.ts";
export { SUBNET_PREFIX } from "./subnet.ts";
export { systemCommand } from "./system-command.ts";
