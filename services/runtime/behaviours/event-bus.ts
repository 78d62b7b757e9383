import { AckPolicy, type ConsumerMessages, DeliverPolicy, type JsMsg, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { sampleLatency, sleep } from "../latency.ts";
import { ServiceFault } from "../service-fault.ts";
import type { BehaviourFactory } from "./behaviour.ts";
import { isTransient, objectBody, optionalString, retryWhileElecting, stringField } from "./fields.ts";

const EVENT_TYPE = /^[-\w]+(?:\.[-\w]+)*$/;
const BATCH = 50;
/** A pull waits this long for messages; an idle replica pulls again after it. */
const FETCH_EXPIRES_MS = 5_000;
const PULL_RETRY_MS = 100;

const isLeaderChange = (error: unknown) => /leadership change|heartbeats missed/i.test((error as Error)?.message ?? "");

/**
 * Publishes events to the service's stream and processes them with a durable pull consumer
 * shared by all replicas; a message is acked (and the ack confirmed) only after it was
 * processed, so a replica that dies mid-way leaves it to be redelivered.
 */
export const eventBus: BehaviourFactory = async ({ spec, nc, log }) => {
  const stream = spec.service.streams[0];
  if (!stream) throw new Error(`${spec.service.name}: the event-bus behaviour needs a stream`);
  const prefix = subjectPrefix(stream.subjects);
  const durable = `${spec.service.name}-processor`;
  const js = jetstream(nc);
  // Every JetStream API call may time out while 44 replicas start at once or a leader is elected.
  const jsm = await retryWhileElecting(() => jetstreamManager(nc));
  await retryWhileElecting(() =>
    jsm.consumers.add(stream.name, {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(10_000),
      max_ack_pending: 1_000,
    }),
  );
  const consumer = await retryWhileElecting(() => js.consumers.get(stream.name, durable));
  let processed = 0;
  let lastSeq = 0;
  let stopping = false;
  let batch: ConsumerMessages | undefined;

  const processOne = async (message: JsMsg) => {
    await sleep(sampleLatency(spec.service.profile.latency));
    processed++;
    lastSeq = message.seq;
    await message
      .ackAck()
      .catch((error: unknown) => log(`ack of ${stream.name} seq ${message.seq} not confirmed: ${(error as Error).message}`));
  };
  // Batches pulled one after the other rather than `consume()`: nats.js's consume() answers a
  // consumer leader change (409 Leadership Change) by waiting for two missed heartbeats, ~30 s
  // without a pull, while a fetch ends with that error and the next one goes to the new leader.
  const loop = (async () => {
    while (!stopping) {
      try {
        batch = await consumer.fetch({ max_messages: BATCH, expires: FETCH_EXPIRES_MS });
        // stop() may have come while this fetch was being asked for: it closed the previous batch.
        if (stopping) await batch.close();
        for await (const message of batch) {
          if (stopping) {
            message.nak();
            continue;
          }
          await processOne(message);
        }
      } catch (error) {
        // A killed replica's connection is closed without a stop(): nothing will ever be pulled again.
        if (stopping || nc.isClosed()) break;
        if (!isTransient(error) && !isLeaderChange(error)) log(`pulling from ${stream.name} failed: ${(error as Error).message}`);
        await sleep(PULL_RETRY_MS);
      }
    }
  })();

  return {
    handlers: {
      publish: async (body) => {
        const request = objectBody(body);
        const type = stringField(request, "type", EVENT_TYPE);
        const id = optionalString(request, "id");
        const event = JSON.stringify({ type, data: request.data ?? null, publishedAt: new Date().toISOString() });
        try {
          const ack = await js.publish(`${prefix}${type}`, event, { ...(id ? { msgID: id } : {}), timeout: 2_500 });
          return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
        } catch (error) {
          throw new ServiceFault(503, `${stream.name} did not confirm the event: ${(error as Error).message}`, { cause: error });
        }
      },
      stats: async () => {
        const info = await jsm.consumers.info(stream.name, durable);
        return {
          replica: spec.index,
          processed,
          lastSeq,
          consumer: {
            name: durable,
            ackFloor: info.ack_floor.stream_seq,
            pending: info.num_pending,
            ackPending: info.num_ack_pending,
            redelivered: info.num_redelivered,
          },
        };
      },
    },
    statsData: () => ({ processed, lastSeq }),
    stop: async () => {
      stopping = true;
      await batch?.close();
      await loop;
    },
  };
};

/** `events.>` → `events.`: the prefix an event type is published under. */
function subjectPrefix(subjects: string[]): string {
  const wildcard = subjects.find((s) => s.endsWith(".>"));
  if (!wildcard) throw new Error(`the event stream needs a subject ending in .> (has ${subjects.join(", ")})`);
  return wildcard.slice(0, -1);
}
