/** The stack control API: what a suite in another process may do to the stack the harness runs. */
export interface StackDescription {
  readonly nodes: ReadonlyArray<{ name: string; clientUrl: string; monitoringUrl: string; running: boolean }>;
  readonly services: ReadonlyArray<{ name: string; service: string; index: number; running: boolean }>;
  readonly gateways: ReadonlyArray<{ name: string; url: string; running: boolean }>;
  readonly network: boolean;
  /** The stack can replace a node (`POST /nodes/<name>/replace`): a new server name and an empty store in its place. */
  readonly replaceNodes?: boolean;
  /** How partitions are made (`kernel`, `proxy`, …), when the stack can make them: verdicts say which network they saw. */
  readonly networkKind?: string | undefined;
}

export const NODE_ACTIONS = ["kill", "stop", "lame-duck", "start", "pause", "resume"] as const;
export type NodeAction = (typeof NODE_ACTIONS)[number];
export const REPLICA_ACTIONS = ["kill", "stop", "start"] as const;
export type ReplicaAction = (typeof REPLICA_ACTIONS)[number];

export interface PartitionRequest {
  readonly groups: string[][];
  readonly mode?: "blackhole" | "reset";
}
