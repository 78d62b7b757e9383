import type { NatsAccess } from "../../lib/nats-options/index.ts";

/** A NATS node that a provider can fault: the same surface for local processes, containers and EC2 instances. */
export interface NodeHandle {
  readonly name: string;
  readonly clientUrl: string;
  readonly monitoringUrl: string;
  readonly running: boolean;
  /** Where it runs when the provider knows (an AWS availability zone): game-day selectors filter on it. */
  readonly zone?: string | undefined;
  /** SIGKILL: the node dies without a word to its peers. */
  kill(): Promise<void>;
  /** Graceful stop (or lame-duck mode first, moving clients and leaders away). */
  stop(options?: { lameDuck?: boolean }): Promise<void>;
  /** Starts the node again on the same ports and data directory. */
  start(): Promise<void>;
  /** SIGSTOP: the node hangs with its sockets open. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Present when the node's JetStream store is on a disk of its own that the provider can fill (a tmpfs locally). */
  readonly disk?: NodeDisk | undefined;
}

/** A node's store disk: filled to the last byte with a ballast file, and freed again. */
export interface NodeDisk {
  /** Writes a ballast file until the disk refuses (ENOSPC). */
  fill(): Promise<void>;
  /** Deletes the ballast. */
  free(): Promise<void>;
}

/** A service or gateway replica a fault can kill; `start` brings it back where the provider can. */
export interface ReplicaTarget {
  readonly name: string;
  /** The service it is a replica of (the blast radius counts replicas per service); the name when absent. */
  readonly service?: string;
  kill(): Promise<void>;
  /** A graceful stop (drain), where the provider has one. */
  stop?(): Promise<void>;
  start?(): Promise<void>;
}

/** A load balancer in front of the NATS nodes (an AWS NLB): a node can leave and rejoin its targets. */
export interface LoadBalancerHandle {
  /** Takes the node out of every target group it is in; resolves with what puts it back. */
  deregister(node: string): Promise<() => Promise<void>>;
}

export interface PartitionOptions {
  /** `blackhole` (default): sockets stay open, nothing gets through, as behind iptables DROP. `reset`: connections are closed and refused. */
  readonly mode?: "blackhole" | "reset";
}

/** Which links a degradation slows or makes lossy: routes between nodes, client connections to nodes, or both. */
export type LinkKind = "routes" | "clients" | "all";

/** Links that still carry traffic, but late, lossily or slowly (`slow-link`, `lossy-link`, `bandwidth-limit`). */
export interface LinkDegradation {
  readonly links: LinkKind;
  /** Only links to or from these nodes (by name); every node when omitted. */
  readonly nodes?: readonly string[];
  /** One-way delay added to every segment, in ms. */
  readonly delayMs?: number;
  /** The delay varies uniformly by ± this many ms (segments stay in order, as in a TCP stream). */
  readonly jitterMs?: number;
  /** Probability (0–1) that a TCP segment is lost on the way. */
  readonly loss?: number;
  /** Each chosen node sends at most this many kbit/s on these links (a link between two chosen nodes is capped both ways). */
  readonly rateKbit?: number;
  /** Seeds the random delays and losses, so a run replays. */
  readonly seed: number;
}

/** The links between a stack's nodes, cut and healed on demand (proxies locally, security groups or FIS elsewhere). */
export interface Network {
  /** Nodes (by name) in different groups cannot reach each other; nodes in no group form one more group. */
  partition(groups: readonly (readonly string[])[], options?: PartitionOptions): Promise<void>;
  /** Every link open again, at full speed. */
  heal(): Promise<void>;
  /** Slows links or makes them lossy until `heal()`; replaces any earlier degradation. Absent: the network cannot. */
  degrade?(degradation: LinkDegradation): Promise<void>;
  /** Why this network cannot apply `degradation` (undefined: it can). */
  cannotDegrade?(degradation: Omit<LinkDegradation, "seed">): string | undefined;
}

/**
 * Membership changes, as an Auto Scaling group makes them: a node is terminated and a new machine
 * takes its place in the cluster with a new server name and an empty JetStream store.
 */
export interface NodeReplacing {
  /**
   * Terminates node `name` and starts its replacement: a new server name, an empty store, the same
   * cluster routes (its addresses may be new). Resolves with the replacement's handle once it
   * serves; from then on the stack's `nodes` (and `monitoringUrls`, `clientUrls`) list it in the
   * old node's place. The old server stays a JetStream meta-group peer until it is removed
   * (`$JS.API.SERVER.REMOVE`, as the system account): that is the caller's step, not the provider's.
   */
  replaceNode(name: string): Promise<NodeHandle>;
}

/** A running NATS system, whoever started it. */
export interface StartedStack extends AsyncDisposable, Partial<NodeReplacing> {
  readonly id: string;
  readonly clientUrls: readonly string[];
  readonly monitoringUrls: readonly string[];
  readonly nodes: readonly NodeHandle[];
  /** Present when the stack can cut links between its nodes. */
  readonly network?: Network | undefined;
  /**
   * A user of the NATS system account, when the stack has one: JetStream's cluster operations
   * (meta-leader step-down, peer-remove) answer only to it.
   */
  readonly systemAccount?: NatsAccess | undefined;
  stop(): Promise<void>;
}
