import { AckPolicy, type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager, type StreamConfig } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import type { HistoryRecorder } from "../../../harness/history/index.ts";

/**
 * A small Jepsen-style queue workload on a real JetStream stream: a sequential publisher whose
 * every attempt is recorded (msgID = message id, so a retry can be deduplicated) and a durable
 * pull consumer that reads, acks and records each message.
 */
export class QueueWorkload {
  readonly stream: string;
  readonly subject: string;
  readonly #recorder: HistoryRecorder;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;

  private constructor(recorder: HistoryRecorder, nc: NatsConnection, jsm: JetStreamManager, stream: string) {
    this.#recorder = recorder;
    this.#js = jetstream(nc);
    this.#jsm = jsm;
    this.stream = stream;
    this.subject = `${stream.toLowerCase()}.events`;
  }

  static async create(recorder: HistoryRecorder, nc: NatsConnection, stream: string): Promise<QueueWorkload> {
    return new QueueWorkload(recorder, nc, await jetstreamManager(nc), stream);
  }

  /** Creates the stream (again, after a restart lost it); an existing one is kept. */
  async ensureStream(config: Partial<StreamConfig>): Promise<void> {
    await this.#jsm.streams.add({ name: this.stream, subjects: [this.subject], ...config });
  }

  /** Publishes `id` once, recorded as one `publish` attempt. */
  async publish(id: string, timeoutMs = 2000) {
    return this.#recorder.run("publisher", "publish", { stream: this.stream, id }, () =>
      this.#js.publish(this.subject, id, { msgID: id, timeout: timeoutMs }),
    );
  }

  async publishAll(ids: readonly string[]): Promise<void> {
    for (const id of ids) await this.publish(id);
  }

  /** Reads, acks and records everything the durable consumer `name` has pending (bounded rounds). */
  async drain(name: string, maxRounds = 50): Promise<number> {
    await this.#jsm.consumers.add(this.stream, { durable_name: name, ack_policy: AckPolicy.Explicit });
    const consumer = await this.#js.consumers.get(this.stream, name);
    let total = 0;
    for (let round = 0; round < maxRounds; round++) {
      const { num_pending: pending } = await consumer.info();
      if (pending === 0) break;
      const batch = await consumer.fetch({ max_messages: Math.min(pending, 100), expires: 1000 });
      for await (const message of batch) {
        total += 1;
        await this.#recorder.run("reader", "read", null, async () => {
          await message.ackAck();
          return { stream: this.stream, id: message.string() };
        });
      }
    }
    return total;
  }
}

/** After a restart: retries until the client has reconnected and JetStream answers (bounded). */
export async function waitForJetStream(nc: NatsConnection, attempts = 50): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await jetstreamManager(nc, { timeout: 500 });
      return;
    } catch (error) {
      if (attempt >= attempts) throw new Error(`JetStream did not answer after ${attempts} attempts`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export const ids = (prefix: string, from: number, to: number): string[] =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${from + i}`);
