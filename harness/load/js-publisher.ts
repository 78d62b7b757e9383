import { createInbox, type Msg, type NatsConnection, headers as natsHeaders, type Subscription } from "@nats-io/nats-core";

export interface PubAckResult {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: string;
}

interface Pending {
  resolve(result: PubAckResult): void;
  deadline: number;
}

const decoder = new TextDecoder();

/**
 * JetStream publish as the protocol defines it and as `nats bench js pub async` does: publish
 * to the stream's subject with a reply inbox, the server answers with a PubAck. One wildcard
 * inbox subscription and one timeout sweep serve every publish in flight, instead of a request
 * (timer, error object, promise chain) each, so many acks can be outstanding cheaply.
 */
export class JsPublisher {
  readonly #send: (subject: string, data: Uint8Array, reply: string, msgID: string | undefined) => void;
  readonly #inbox = createInbox();
  readonly #pending = new Map<number, Pending>();
  readonly #subscription: Subscription;
  readonly #sweep: NodeJS.Timeout;
  #next = 0;

  constructor(nc: NatsConnection, send: (subject: string, data: Uint8Array, reply: string, msgID: string | undefined) => void) {
    this.#send = send;
    this.#subscription = nc.subscribe(`${this.#inbox}.*`, { callback: (_error, msg) => this.#onAck(msg) });
    this.#sweep = setInterval(() => this.#expire(), 50);
    this.#sweep.unref();
  }

  publish(subject: string, data: Uint8Array, options: { msgID?: string | undefined; timeoutMs: number }): Promise<PubAckResult> {
    const token = this.#next++;
    return new Promise((resolve) => {
      this.#pending.set(token, { resolve, deadline: performance.now() + options.timeoutMs });
      this.#send(subject, data, `${this.#inbox}.${token}`, options.msgID);
    });
  }

  #onAck(msg: Msg): void {
    const token = Number(msg.subject.slice(this.#inbox.length + 1));
    const pending = this.#pending.get(token);
    if (!pending) return;
    this.#pending.delete(token);
    if (msg.headers?.hasError) {
      pending.resolve({
        error:
          msg.headers.code === 503
            ? "503 no responders: no stream listens on the subject"
            : `${msg.headers.code} ${msg.headers.description}`,
      });
      return;
    }
    try {
      const ack = JSON.parse(decoder.decode(msg.data)) as {
        stream?: string;
        seq?: number;
        duplicate?: boolean;
        error?: { code?: number; description?: string };
      };
      if (ack.error) pending.resolve({ error: `${ack.error.code ?? ""} ${ack.error.description ?? "JetStream error"}`.trim() });
      else
        pending.resolve({
          ...(ack.stream !== undefined ? { stream: ack.stream } : {}),
          ...(ack.seq !== undefined ? { seq: ack.seq } : {}),
          duplicate: ack.duplicate === true,
        });
    } catch {
      pending.resolve({ error: `unreadable PubAck: ${decoder.decode(msg.data).slice(0, 120)}` });
    }
  }

  #expire(): void {
    const now = performance.now();
    for (const [token, pending] of this.#pending) {
      if (pending.deadline > now) continue;
      this.#pending.delete(token);
      pending.resolve({ error: "TIMEOUT: no PubAck within the timeout (the message may still have been stored)" });
    }
  }

  close(): void {
    clearInterval(this.#sweep);
    this.#subscription.unsubscribe();
    for (const pending of this.#pending.values()) pending.resolve({ error: "connection closed before the PubAck" });
    this.#pending.clear();
  }
}

export function msgIdHeaders(msgID: string | undefined) {
  if (msgID === undefined) return undefined;
  const h = natsHeaders();
  h.set("Nats-Msg-Id", msgID);
  return h;
}
