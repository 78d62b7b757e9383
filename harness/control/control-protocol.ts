/** The stack control API: what a suite in another process may do to the stack the harness runs. */
export interface StackDescription {
  /** `disk`: the node's store is on a disk the harness can fill (`fill-disk`, `free-disk`). */
  readonly nodes: ReadonlyArray<{ name: string; clientUrl: string; monitoringUrl: string; running: boolean; disk?: boolean }>;
  readonly services: ReadonlyArray<{ name: string; service: string; index: number; running: boolean }>;
  readonly gateways: ReadonlyArray<{ name: string; url: string; running: boolean }>;
  readonly network: boolean;
  /** The stack can replace a node (`POST /nodes/<name>/replace`): a new server name and an empty store in its place. */
  readonly replaceNodes?: boolean;
  /** How partitions are made (`kernel`, `proxy`, …), when the stack can make them: verdicts say which network they saw. */
  readonly networkKind?: string | undefined;
  /** Why the network cannot delay links, or make them lossy, per link kind (null: it can); absent when it can do neither. */
  readonly degrade?: Readonly<Record<DegradeAbility, string | null>> | undefined;
}

/** What `cannotDegrade` is asked before a slow, lossy or capped link fault, as the control API reports it. */
export const DEGRADE_ABILITIES = ["delay-routes", "delay-clients", "loss-routes", "loss-clients", "rate-routes", "rate-clients"] as const;
export type DegradeAbility = (typeof DEGRADE_ABILITIES)[number];

export const NODE_ACTIONS = ["kill", "stop", "lame-duck", "start", "pause", "resume", "fill-disk", "free-disk"] as const;
export type NodeAction = (typeof NODE_ACTIONS)[number];
export const REPLICA_ACTIONS = ["kill", "stop", "start"] as const;
export type ReplicaAction = (typeof REPLICA_ACTIONS)[number];

export interface PartitionRequest {
  readonly groups: string[][];
  readonly mode?: "blackhole" | "reset";
}
