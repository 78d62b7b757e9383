export { DEFAULT_DISK_BYTES, type ProgressListener } from "../cluster-builder.ts";
export { LocalCluster, LocalClusterError, type NetworkChoice, type NetworkKind, StartedLocalCluster } from "./local-cluster.ts";
export { LocalNode, NodeError } from "./local-node.ts";
export type { NodePorts, ServerTls } from "./nats-server-config.ts";
export { listStacks, registerStack, type StackRecord, stopStack } from "./stack-registry.ts";
export { DiskError, mountStoreDisks, TmpfsDisk, tmpfsUnavailable } from "./tmpfs-disk.ts";
