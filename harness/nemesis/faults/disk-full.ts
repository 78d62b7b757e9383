import type { NodeDisk, NodeHandle } from "../../providers/stack.ts";
import { findStreamLeader } from "../leaders.ts";
import { pick } from "../prng.ts";
import { NemesisError, type NemesisTarget, nodeByName } from "../target.ts";
import type { FaultContext, FaultDefinition } from "./fault.ts";

export interface DiskFull {
  readonly kind: "disk-full";
  /** The node whose disk fills; else the leader of `stream`; else a random node. */
  readonly node?: string;
  readonly stream?: string;
}

const noDisk = (target: NemesisTarget) =>
  target.nodes.some((node) => node.disk)
    ? undefined
    : "the nodes' stores are not on disks Gauntlet can fill (a local or Docker stack mounts a tmpfs per node store when run as root)";

async function chooseNode(spec: DiskFull, context: FaultContext): Promise<NodeHandle & { disk: NodeDisk }> {
  const node = spec.node
    ? nodeByName(context.target, spec.node)
    : spec.stream
      ? await findStreamLeader(context.target, spec.stream)
      : pick(
          context.random,
          context.target.nodes.filter((candidate) => candidate.disk && candidate.running),
        );
  if (!node.disk) throw new NemesisError(`nemesis: cannot inject disk-full: ${node.name}'s store is not on a disk Gauntlet can fill`);
  return node as NodeHandle & { disk: NodeDisk };
}

/**
 * Fills one node's store disk to the last byte (a ballast file until ENOSPC). nats-server then
 * refuses the writes it cannot store and disables JetStream on that node ("JetStream out of
 * resources, will be DISABLED"); its streams carry on with the other replicas. It does not
 * enable JetStream again when space comes back, so the heal does what an operator would: free the
 * disk, then restart the node.
 */
export const diskFull: FaultDefinition<DiskFull> = {
  kind: "disk-full",
  unsupported: noDisk,
  async inject(spec, context) {
    const node = await chooseNode(spec, context);
    context.progress(`filling ${node.name}'s disk`);
    await node.disk.fill();
    return {
      target: { node: node.name, ...(spec.stream ? { stream: spec.stream } : {}) },
      heal: async () => {
        await node.disk.free();
        context.progress(`freed ${node.name}'s disk; restarting it (nats-server keeps JetStream disabled until then)`);
        await node.stop();
        await node.start();
      },
    };
  },
};
