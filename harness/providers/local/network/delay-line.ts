import type { Socket } from "node:net";
import { mulberry32, type Random } from "../../../nemesis/prng.ts";

/**
 * What a lost segment costs a TCP stream: nothing is dropped (TCP retransmits), the segment and
 * everything behind it arrive one retransmission timeout later — Linux's minimum RTO, 200 ms.
 */
export const RETRANSMIT_MS = 200;
const SEGMENT_BYTES = 1460;
/** Bytes held in a delay line before its source is paused (TCP's window would stop the sender). */
const HIGH_WATER_BYTES = 1024 * 1024;

/** How one degraded link treats the segments it carries. */
export interface LinkShape {
  readonly delayMs: number;
  readonly jitterMs: number;
  /** Probability that one TCP segment (1460 bytes) is lost and retransmitted. */
  readonly loss: number;
  readonly seed: number;
}

/** The delay of each chunk read from one direction of a connection: delay ± jitter, plus an RTO when one of its segments is lost; never earlier than the chunk before it. */
export class SegmentSchedule {
  readonly #shape: LinkShape;
  readonly #random: Random;
  #last = 0;

  constructor(shape: LinkShape, stream: number) {
    this.#shape = shape;
    this.#random = mulberry32((shape.seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0);
  }

  arrival(now: number, bytes: number): number {
    const { delayMs, jitterMs, loss } = this.#shape;
    let at = now + Math.max(0, delayMs + (this.#random() * 2 - 1) * jitterMs);
    const segments = Math.max(1, Math.ceil(bytes / SEGMENT_BYTES));
    if (loss > 0 && this.#random() < 1 - (1 - loss) ** segments) at += RETRANSMIT_MS;
    this.#last = Math.max(at, this.#last);
    return this.#last;
  }
}

/**
 * One direction of a proxied connection through a degraded link: chunks are written to the sink
 * when the schedule says they arrive, in order. Past a megabyte in flight the source is paused,
 * as a full TCP window would stop the sender.
 */
export class DelayLine {
  readonly sink: Socket;
  readonly #queue: { at: number; chunk: Buffer }[] = [];
  #queued = 0;
  #timer: NodeJS.Timeout | undefined;
  #ended = false;
  #belowHighWater: (() => void) | undefined;

  constructor(sink: Socket) {
    this.sink = sink;
  }

  get idle(): boolean {
    return this.#queue.length === 0;
  }

  /** Queues `chunk` to arrive at `at`; calls `resume` once the line drains below its high-water mark, if it is above it now. */
  push(chunk: Buffer, at: number, pause: () => void, resume: () => void): void {
    this.#queue.push({ at, chunk });
    this.#queued += chunk.length;
    if (this.#queued > HIGH_WATER_BYTES && !this.#belowHighWater) {
      pause();
      this.#belowHighWater = resume;
    }
    this.#arm();
  }

  /** Ends the sink once everything queued has arrived. */
  end(): void {
    this.#ended = true;
    if (this.idle) this.sink.end();
  }

  /** Writes everything queued now (the link healed). */
  flush(): void {
    for (const entry of this.#queue) entry.at = 0;
    this.#deliver();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }

  #arm(): void {
    if (this.#timer) return;
    const next = this.#queue[0];
    if (!next) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#deliver();
      },
      Math.max(0, next.at - Date.now()),
    );
  }

  #deliver(): void {
    const now = Date.now();
    while (this.#queue[0] && this.#queue[0].at <= now) {
      const { chunk } = this.#queue.shift() as { chunk: Buffer };
      this.#queued -= chunk.length;
      if (!this.sink.destroyed) this.sink.write(chunk);
    }
    if (this.#belowHighWater && this.#queued <= HIGH_WATER_BYTES / 2) {
      const resume = this.#belowHighWater;
      this.#belowHighWater = undefined;
      resume();
    }
    if (this.#ended && this.idle) this.sink.end();
    this.#arm();
  }
}
