import type { MsgHdrs, NatsConnection } from "@nats-io/nats-core";
import { LoadError } from "./errors.ts";

/** The part of nats.js's protocol handler a batch writes through (its outbound queue and counters). */
interface ProtocolQueue {
  sendCommand(cmd: Uint8Array): void;
  outMsgs: number;
  outBytes: number;
  info?: { max_payload?: number; headers?: boolean };
}

const BATCH_BYTES = 64 * 1024;
const WHITESPACE = /\s/;

/**
 * Core publishes of one worker, encoded as PUB/HPUB frames into one buffer and handed to the
 * nats.js connection's own outbound queue once per event-loop turn (or every 64 KiB). nats.js
 * still does the writing: its flush threshold, its buffering while reconnecting and the order
 * against every other operation on the connection stay as they are. What the batch saves is
 * nats.js building a string and encoding it for every message, which was half of a publish's cost.
 */
export class PublishBatch {
  readonly #nc: NatsConnection;
  readonly #protocol: ProtocolQueue;
  /** `PUB <subject> <size>\r\n` per subject, for the last size published to it. */
  readonly #protos = new Map<string, { size: number; bytes: Buffer }>();
  #buffer = Buffer.allocUnsafe(BATCH_BYTES);
  #used = 0;
  #messages = 0;
  #payloadBytes = 0;

  constructor(nc: NatsConnection) {
    const protocol = (nc as unknown as { protocol?: Partial<ProtocolQueue> }).protocol;
    if (typeof protocol?.sendCommand !== "function" || typeof protocol.outMsgs !== "number")
      throw new LoadError("the installed nats.js has no protocol.sendCommand: the load engine's publish batch needs updating");
    this.#nc = nc;
    this.#protocol = protocol as ProtocolQueue;
  }

  get pending(): number {
    return this.#messages;
  }

  /** Queues one message; throws a LoadError naming the subject for what the server would refuse. */
  add(subject: string, data: Uint8Array, headers: MsgHdrs | undefined, reply: string | undefined): void {
    if (this.#nc.isClosed()) throw new LoadError(`publish to '${subject}': the NATS connection is closed`);
    let proto = headers || reply ? undefined : this.#protos.get(subject);
    if (proto?.size !== data.length) proto = undefined;
    let headerBytes: Uint8Array | undefined;
    let text: string | undefined;
    if (!proto) {
      checkSubject(subject, "subject");
      if (reply) checkSubject(reply, "reply subject");
      let size = data.length;
      if (headers) {
        if (this.#protocol.info?.headers === false) throw new LoadError(`publish to '${subject}': the server does not support headers`);
        headerBytes = (headers as MsgHdrs & { encode(): Uint8Array }).encode();
        size += headerBytes.length;
      }
      const max = this.#protocol.info?.max_payload;
      if (max !== undefined && size > max)
        throw new LoadError(`publish to '${subject}': ${size} bytes exceed the server's max_payload of ${max}`);
      const target = reply ? `${subject} ${reply}` : subject;
      text = headerBytes ? `HPUB ${target} ${headerBytes.length} ${size}\r\n` : `PUB ${target} ${size}\r\n`;
      if (!headers && !reply) {
        proto = { size: data.length, bytes: Buffer.from(text) };
        if (this.#protos.size > 10_000) this.#protos.clear();
        this.#protos.set(subject, proto);
      }
    }
    const protoLength = proto ? proto.bytes.length : 3 * (text as string).length;
    const need = protoLength + (headerBytes?.length ?? 0) + data.length + 2;
    if (this.#used + need > this.#buffer.length) {
      this.flush();
      if (need > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(need);
    }
    const buffer = this.#buffer;
    let at = this.#used;
    if (proto) {
      buffer.set(proto.bytes, at);
      at += proto.bytes.length;
    } else at += buffer.write(text as string, at);
    if (headerBytes) {
      buffer.set(headerBytes, at);
      at += headerBytes.length;
    }
    buffer.set(data, at);
    at += data.length;
    buffer[at++] = 13;
    buffer[at++] = 10;
    this.#used = at;
    this.#messages++;
    this.#payloadBytes += data.length + (headerBytes?.length ?? 0);
    if (at >= BATCH_BYTES) this.flush();
  }

  /** Hands what is queued to nats.js (which sends it on its next flush, or once reconnected). */
  flush(): void {
    if (this.#used === 0) return;
    const frames = this.#buffer.subarray(0, this.#used);
    this.#buffer = Buffer.allocUnsafe(BATCH_BYTES);
    this.#used = 0;
    this.#protocol.outMsgs += this.#messages;
    this.#protocol.outBytes += this.#payloadBytes;
    this.#messages = 0;
    this.#payloadBytes = 0;
    this.#protocol.sendCommand(frames);
  }
}

function checkSubject(subject: string, what: string): void {
  if (subject.length === 0 || WHITESPACE.test(subject)) throw new LoadError(`publish: ${what} '${subject}' is empty or has whitespace`);
}
