export { type LinkShape, RETRANSMIT_MS, SegmentSchedule } from "./delay-line.ts";
export { KERNEL_PORTS, KernelNetwork, type KernelNode, kernelNetworkUnavailable } from "./kernel-network.ts";
export { LinkProxy, type LinkState } from "./link-proxy.ts";
export { type LinkView, LocalNetwork, type NodeRoute } from "./local-network.ts";
export { NetworkError } from "./network-error.ts";
export { SUBNET_PREFIX } from "./subnet.ts";
