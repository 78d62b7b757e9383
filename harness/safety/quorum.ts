/** Where a stream's replicas live: its leader and every peer (leader included), by node name. */
export interface StreamPlacement {
  readonly stream: string;
  readonly leader: string | undefined;
  readonly peers: readonly string[];
  /** Peers the stream itself reports offline right now. */
  readonly offline: readonly string[];
}

/** A stream of R replicas keeps quorum while ⌊R/2⌋+1 of them run. */
export const quorumOf = (replicas: number): number => Math.floor(replicas / 2) + 1;

/**
 * Why taking `taking` down (on top of `down`, and of the peers each stream already reports
 * offline) would leave a stream without quorum; undefined when every stream keeps it.
 */
export function nodeFaultProblem(
  placement: readonly StreamPlacement[],
  down: ReadonlySet<string>,
  taking: readonly string[],
): string | undefined {
  const fresh = taking.filter((name) => !down.has(name));
  if (fresh.length === 0) return undefined;
  const after = new Set([...down, ...fresh]);
  for (const stream of placement) {
    if (!stream.peers.some((peer) => fresh.includes(peer))) continue;
    const gone = stream.peers.filter((peer) => after.has(peer) || stream.offline.includes(peer));
    const running = stream.peers.length - gone.length;
    if (running < quorumOf(stream.peers.length))
      return `taking ${fresh.join(", ")} down leaves stream ${stream.stream} (R${stream.peers.length} on ${stream.peers.join(", ")}) with ${running} of ${stream.peers.length} replicas running; it needs ${quorumOf(stream.peers.length)}`;
  }
  return undefined;
}

/** Without a data plane to ask: the worst case, a stream of `replicas` on every node taken down (and on the rest). */
export function assumedPlacement(
  nodes: readonly string[],
  replicas: number,
  down: ReadonlySet<string>,
  taking: readonly string[],
): StreamPlacement[] {
  const first = [...new Set([...taking, ...down, ...nodes])].slice(0, Math.min(replicas, nodes.length));
  return [{ stream: `(any R${Math.min(replicas, nodes.length)} stream)`, leader: undefined, peers: first, offline: [] }];
}

/** A service keeps at least half its replicas: one of a 2-replica service at a time. */
export function replicaFaultProblem(service: string, replica: string, down: number, total: number): string | undefined {
  const tolerated = Math.floor(total / 2);
  if (down + 1 <= tolerated) return undefined;
  return `stopping ${replica} makes ${down + 1} of ${service}'s ${total} replicas down (at most ${tolerated})`;
}
