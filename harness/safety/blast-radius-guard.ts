import type { Network, NodeHandle, ReplicaTarget } from "../providers/stack.ts";
import { BlastRadiusError } from "./blast-radius-error.ts";
import { assumedPlacement, nodeFaultProblem, replicaFaultProblem, type StreamPlacement } from "./quorum.ts";

export interface BlastRadiusOptions {
  /** Permit faults that take a stream's quorum (the guard still tracks them). */
  readonly allowQuorumLoss: boolean;
  /** Permit faults that take more than half a service's replicas, all of them included (default: as `allowQuorumLoss`). */
  readonly allowServiceOutage?: boolean;
  /** The setting that permits a service outage, named when one is refused (default: allow_quorum_loss). */
  readonly serviceOutageLever?: string;
  /** Where each stream's replicas are now, by node name; undefined when no data plane can be asked. */
  readonly placement: () => Promise<readonly StreamPlacement[] | undefined>;
  /** Replicas assumed for every stream when `placement` gives nothing (the worst case). */
  readonly assumedReplicas: number;
  readonly nodes: readonly string[];
}

/**
 * The quorum guard of every provider: before a node fault, the nodes it would take down (on top
 * of those already down) are checked against each stream's real placement; before a replica
 * fault, the service's replicas still running. Faults past it are refused before any action.
 */
export class BlastRadiusGuard {
  /** Nodes a guarded fault has taken down and no heal has brought back. */
  readonly down = new Set<string>();
  readonly #replicasDown = new Map<string, number>();
  readonly #options: BlastRadiusOptions;
  #lastPlacement: readonly StreamPlacement[] | undefined;

  constructor(options: BlastRadiusOptions) {
    this.#options = options;
  }

  /** Throws when taking `nodes` down would leave some stream without quorum. */
  async requireNodesDown(nodes: readonly string[]): Promise<void> {
    if (this.#options.allowQuorumLoss) return;
    const placement =
      (await this.refreshPlacement()) ?? assumedPlacement(this.#options.nodes, this.#options.assumedReplicas, this.down, nodes);
    const problem = nodeFaultProblem(placement, this.down, nodes);
    if (problem) throw BlastRadiusError.refused(problem);
  }

  /**
   * Reads the placement now; when it cannot be read (the JetStream API is slow to answer while a
   * stream elects a leader) the last placement read stands in for it.
   */
  async refreshPlacement(): Promise<readonly StreamPlacement[] | undefined> {
    const fresh = await this.#options.placement().catch(() => undefined);
    if (fresh) this.#lastPlacement = fresh;
    return this.#lastPlacement;
  }

  nodeDown(name: string): void {
    this.down.add(name);
  }

  nodeUp(name: string): void {
    this.down.delete(name);
  }

  /** Throws when `replica` of `service` going down leaves fewer than half of its `total` replicas (`alreadyDown` counted besides the guard's own). */
  requireReplicaDown(service: string, replica: string, total: number, alreadyDown = 0): void {
    if (this.#options.allowServiceOutage ?? this.#options.allowQuorumLoss) return;
    const problem = replicaFaultProblem(service, replica, alreadyDown + (this.#replicasDown.get(service) ?? 0), total);
    if (problem) throw BlastRadiusError.refused(problem, this.#options.serviceOutageLever);
  }

  replicaDown(service: string): void {
    this.#replicasDown.set(service, (this.#replicasDown.get(service) ?? 0) + 1);
  }

  replicaUp(service: string): void {
    this.#replicasDown.set(service, Math.max(0, (this.#replicasDown.get(service) ?? 0) - 1));
  }
}

/** The nodes outside the largest group: what a partition into `groups` cuts off from the majority. */
export function minorityOf(nodes: readonly string[], groups: readonly (readonly string[])[]): string[] {
  const grouped = new Set(groups.flat());
  const all = [...groups.map((group) => nodes.filter((node) => group.includes(node))), nodes.filter((node) => !grouped.has(node))].filter(
    (group) => group.length > 0,
  );
  const majority = all.reduce((largest, group) => (group.length > largest.length ? group : largest), [] as string[]);
  return nodes.filter((node) => !majority.includes(node));
}

/** The service a replica belongs to: its own, else (services) its name, (gateways) the one gateway service. */
export function replicaServiceOf(area: "services" | "gateways", replica: ReplicaTarget): string {
  return replica.service ?? (area === "gateways" ? "gateway" : replica.name);
}

/** Replica handles that ask the guard before each kill or stop and tell it after each start. */
function guardReplicas(
  area: "services" | "gateways",
  replicas: readonly ReplicaTarget[] | undefined,
  guard: BlastRadiusGuard,
): ReplicaTarget[] | undefined {
  const serviceOf = (replica: ReplicaTarget) => replicaServiceOf(area, replica);
  const totals = new Map<string, number>();
  for (const replica of replicas ?? []) totals.set(serviceOf(replica), (totals.get(serviceOf(replica)) ?? 0) + 1);
  const takeReplica = (replica: ReplicaTarget, act: () => Promise<void>) => async () => {
    const service = serviceOf(replica);
    guard.requireReplicaDown(service, replica.name, totals.get(service) ?? 1);
    await act();
    guard.replicaDown(service);
  };
  return replicas?.map(
    (replica): ReplicaTarget => ({
      name: replica.name,
      ...(replica.service ? { service: replica.service } : {}),
      kill: takeReplica(replica, () => replica.kill()),
      ...(replica.stop ? { stop: takeReplica(replica, () => replica.stop?.() ?? Promise.resolve()) } : {}),
      ...(replica.start
        ? {
            start: async () => {
              await replica.start?.();
              guard.replicaUp(serviceOf(replica));
            },
          }
        : {}),
    }),
  );
}

/** Node, network, service and gateway replica handles that ask the guard before each fault and tell it after each heal. */
export function guardHandles<
  T extends {
    nodes: readonly NodeHandle[];
    network?: Network | undefined;
    services?: readonly ReplicaTarget[] | undefined;
    gateways?: readonly ReplicaTarget[] | undefined;
  },
>(target: T, guard: BlastRadiusGuard): T {
  const nodes = target.nodes.map((node): NodeHandle => {
    const takeDown = (act: () => Promise<void>) => async () => {
      await guard.requireNodesDown([node.name]);
      await act();
      guard.nodeDown(node.name);
    };
    const bringUp = (act: () => Promise<void>) => async () => {
      await act();
      guard.nodeUp(node.name);
    };
    return {
      name: node.name,
      clientUrl: node.clientUrl,
      monitoringUrl: node.monitoringUrl,
      zone: node.zone,
      get running() {
        return node.running;
      },
      kill: takeDown(() => node.kill()),
      stop: (options) => takeDown(() => node.stop(options))(),
      pause: takeDown(() => node.pause()),
      start: bringUp(() => node.start()),
      resume: bringUp(() => node.resume()),
    };
  });
  const names = target.nodes.map((node) => node.name);
  let cut: string[] = [];
  const network: Network | undefined = target.network && {
    partition: async (groups, options) => {
      const minority = minorityOf(names, groups);
      await guard.requireNodesDown(minority);
      await target.network?.partition(groups, options);
      cut = minority;
      for (const name of cut) guard.nodeDown(name);
    },
    heal: async () => {
      await target.network?.heal();
      for (const name of cut) guard.nodeUp(name);
      cut = [];
    },
  };
  const services = guardReplicas("services", target.services, guard);
  const gateways = guardReplicas("gateways", target.gateways, guard);
  return { ...target, nodes, ...(network ? { network } : {}), ...(services ? { services } : {}), ...(gateways ? { gateways } : {}) };
}
