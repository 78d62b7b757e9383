import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { DelayLine, type LinkShape, SegmentSchedule } from "./delay-line.ts";

/** What a link does with traffic: forward it, swallow it (sockets stay open) or refuse it. */
export type LinkState = "open" | "blackhole" | "reset";

interface Pair {
  readonly downstream: Socket;
  readonly upstream: Socket | undefined;
  readonly lines: DelayLine[];
}

/**
 * A TCP proxy (on 127.0.0.1 unless told otherwise) for the route connections node `from` dials to node `to`, or for the
 * client connections to node `to` (traffic flows both ways through it; a cut stops both).
 * Blackhole pauses both sockets: nothing is read, so nothing is forwarded either way and the
 * kernel buffers fill as they would behind an iptables DROP; the senders only notice through
 * missed pings and Raft heartbeats. Connections accepted while blackholed are held without an
 * upstream and dropped on heal (their SYN "never arrived"). Healing resumes stalled
 * connections: whatever was buffered flows, as retransmissions do when a real partition heals.
 * A degraded link (`degrade`) delays what it carries, per direction and in order (see `DelayLine`).
 */
export class LinkProxy {
  readonly from: string;
  readonly to: string;
  readonly targetPort: number;
  /** Where new connections go; `retarget` moves it (a node replaced on a new address). */
  targetHost: string;
  #server: Server;
  #state: LinkState = "open";
  #pairs = new Set<Pair>();
  #shape: LinkShape | undefined;
  #streams = 0;

  private constructor(from: string, to: string, target: { port: number; host: string }, server: Server) {
    this.from = from;
    this.to = to;
    this.targetPort = target.port;
    this.targetHost = target.host;
    this.#server = server;
    server.on("connection", (socket) => this.#accept(socket));
  }

  /**
   * A link to `to`'s route port on `targetHost` (each node on a loopback address of its own, as the
   * AWS twin's), listening on `listenHost` (a Docker bridge's address on this machine, for containers).
   */
  static async listen(
    from: string,
    to: string,
    targetPort: number,
    targetHost = "127.0.0.1",
    listenHost = "127.0.0.1",
  ): Promise<LinkProxy> {
    const server = createServer({ pauseOnConnect: true, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ port: 0, host: listenHost }, () => resolve());
    });
    return new LinkProxy(from, to, { port: targetPort, host: targetHost }, server);
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === "object" && address ? address.port : 0;
  }

  get state(): LinkState {
    return this.#state;
  }

  /** Open connections through this link (held ones included). */
  get connections(): number {
    return this.#pairs.size;
  }

  setState(state: LinkState): void {
    if (state === this.#state) return;
    const previous = this.#state;
    this.#state = state;
    for (const pair of [...this.#pairs]) {
      if (state === "reset") this.#drop(pair);
      else if (state === "blackhole") {
        pair.downstream.pause();
        pair.upstream?.pause();
      } else if (previous === "blackhole") {
        if (!pair.upstream || pair.upstream.destroyed || pair.downstream.destroyed) this.#drop(pair);
        else {
          pair.downstream.resume();
          pair.upstream.resume();
        }
      }
    }
  }

  get degraded(): boolean {
    return this.#shape !== undefined;
  }

  /** Delays (and, per segment, retransmits) what the link carries from now on; `undefined` restores it and delivers what is held at once. */
  degrade(shape: LinkShape | undefined): void {
    this.#shape = shape;
    this.#streams = 0;
    if (!shape) for (const pair of this.#pairs) for (const line of pair.lines) line.flush();
  }

  async close(): Promise<void> {
    for (const pair of [...this.#pairs]) this.#drop(pair);
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(downstream: Socket): void {
    downstream.on("error", () => {});
    if (this.#state === "reset") {
      downstream.destroy();
      return;
    }
    if (this.#state === "blackhole") {
      const held: Pair = { downstream, upstream: undefined, lines: [] };
      this.#pairs.add(held);
      downstream.once("close", () => this.#pairs.delete(held));
      return;
    }
    const upstream = tcpConnect({ port: this.targetPort, host: this.targetHost, noDelay: true });
    upstream.pause();
    upstream.on("error", () => {});
    const pair: Pair = { downstream, upstream, lines: [] };
    this.#pairs.add(pair);
    // A side that closes cleanly has its last bytes flushed to the other (end, not destroy): the
    // last protocol line a server writes before closing, e.g. on a duplicate route, must arrive.
    // While cut, not even the close crosses: it is passed on when the link heals.
    const closeWith = (other: Socket) => (hadError: boolean) => {
      if (this.#state !== "open") return;
      // A degraded link still holds bytes for `other`: it ends `other` once they have arrived.
      const holding = pair.lines.find((line) => line.sink === other && !line.idle);
      if (hadError || !other.writable) other.destroy();
      else if (holding) holding.end();
      else other.end();
      if (downstream.destroyed && upstream.destroyed) this.#pairs.delete(pair);
    };
    downstream.once("close", closeWith(upstream));
    upstream.once("close", closeWith(downstream));
    upstream.once("connect", () => {
      this.#pipe(pair, downstream, upstream);
      this.#pipe(pair, upstream, downstream);
      if (this.#state === "open") {
        downstream.resume();
        upstream.resume();
      }
    });
  }

  #pipe(pair: Pair, source: Socket, sink: Socket): void {
    const line = new DelayLine(sink);
    pair.lines.push(line);
    let schedule: { shape: LinkShape; segments: SegmentSchedule } | undefined;
    const resume = () => {
      if (this.#state === "open") source.resume();
    };
    source.on("data", (chunk: Buffer) => {
      const shape = this.#shape;
      if (shape) {
        if (schedule?.shape !== shape) schedule = { shape, segments: new SegmentSchedule(shape, this.#streams++) };
        line.push(chunk, schedule.segments.arrival(Date.now(), chunk.length), () => source.pause(), resume);
        return;
      }
      schedule = undefined;
      if (!line.idle) line.flush();
      if (sink.write(chunk)) return;
      source.pause();
      sink.once("drain", resume);
    });
    source.once("end", () => line.end());
  }

  #drop(pair: Pair): void {
    for (const line of pair.lines) line.close();
    this.#pairs.delete(pair);
    pair.downstream.destroy();
    pair.upstream?.destroy();
  }
}
