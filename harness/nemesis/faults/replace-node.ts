import { retry } from "../../../lib/retry/index.ts";
import { waitForHealthy } from "../health.ts";
import { jetStreamRequest, serverNameOf, withJetStreamApi } from "../jetstream-api.ts";
import { NemesisError } from "../target.ts";
import type { FaultDefinition } from "./fault.ts";
import { chooseNode } from "./node-faults.ts";

export interface ReplaceNode {
  readonly kind: "replace-node";
  /** Node name; a random running node when omitted. */
  readonly node?: string;
  /**
   * Remove the old server from the JetStream meta group (`$JS.API.SERVER.REMOVE`), as an operator
   * or a termination hook must. Default true; false leaves a ghost peer behind (a broken replacement).
   */
  readonly removePeer?: boolean;
  /** How long to wait for the cluster to be whole again (meta group of N, every stream current) before the window closes. Default 30 s. */
  readonly recoverTimeoutMs?: number;
}

/** JetStream's "server is not a member of the cluster" (JSClusterServerNotMemberErr): removing it again cannot help. */
const NOT_A_MEMBER = 10044;

/**
 * What an Auto Scaling group does: terminates a node, and a new one with a new server name and an
 * empty store takes its place; the old server is then removed from the meta group, and the streams
 * it held a replica of re-replicate elsewhere. The window stays open until the cluster is whole
 * again (or the wait runs out: the runner's health probe then records what is still wrong, e.g. a
 * meta group one peer too big). Nothing to heal: the replacement is for good.
 */
export const replaceNode: FaultDefinition<ReplaceNode> = {
  kind: "replace-node",
  holdsItself: true,
  unsupported(target, spec) {
    if (!target.replaceNode) return "the target cannot replace nodes";
    if ((spec.removePeer ?? true) && !target.systemAccount)
      return "the peer-remove needs the NATS system account's user (a target's nats.system), and the target has none";
    return undefined;
  },
  async inject(spec, context) {
    const { target } = context;
    const removePeer = spec.removePeer ?? true;
    if (!target.replaceNode) throw NemesisError.missing("replace-node", "node replacement");
    if (removePeer && !target.systemAccount) throw NemesisError.missing("replace-node", "the NATS system account's user");
    const node = chooseNode(context, spec.node);
    const server = await serverNameOf(node.monitoringUrl);
    const hit = { node: node.name, server, removePeer };
    context.begin(hit);
    context.progress(`replace-node: terminating ${node.name} (server ${server})`);
    const replacement = await target.replaceNode(node.name);
    // A new machine's monitoring port may answer a while after the provider calls it in service.
    const newServer = await retry(() => serverNameOf(replacement.monitoringUrl), {
      what: `the server name of ${replacement.name}'s replacement`,
      timeoutMs: 60_000,
      intervalMs: 250,
      ...(context.signal ? { signal: context.signal } : {}),
    });
    context.progress(`replace-node: ${newServer} serves in place of ${server}`);
    if (removePeer && target.systemAccount) {
      await withJetStreamApi(target.systemAccount, "peer-remove", (nc) =>
        jetStreamRequest(nc, "$JS.API.SERVER.REMOVE", { peer: server }, { signal: context.signal, giveUpOn: [NOT_A_MEMBER] }),
      );
      context.progress(`replace-node: peer ${server} removed from the meta group`);
    }
    await waitForHealthy(target, { timeoutMs: spec.recoverTimeoutMs ?? 30_000, signal: context.signal }).catch((error: unknown) => {
      if (context.signal?.aborted) throw error;
      context.progress(`replace-node: ${(error as Error).message}`);
    });
    return { target: hit, heal: async () => {} };
  },
};
