export { LinkProxy, type LinkState } from "./link-proxy.ts";
export { LocalNetwork, NetworkError, type NodeRoute } from "./local-network.ts";
