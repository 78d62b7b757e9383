export { resolveTargetFile } from "./resolve-target.ts";
export type { LinkDegradation, LinkKind, Network, NodeDisk, NodeHandle, PartitionOptions, StartedStack } from "./stack.ts";
