import { waitUntil } from "../../../lib/retry/index.ts";
import { jetStreamRequest, withJetStreamApi } from "../jetstream-api.ts";
import { NemesisError } from "../target.ts";
import type { FaultDefinition } from "./fault.ts";

export interface StallConsumer {
  readonly kind: "stall-consumer";
  readonly stream: string;
  /** The durable consumer whose processor stalls. */
  readonly consumer: string;
  /** How long the processor may take to run into `max_ack_pending` before the fault gives up (and resumes it). Default 20 s. */
  readonly timeoutMs?: number;
}

interface ConsumerInfo {
  readonly num_ack_pending: number;
  readonly config: { readonly max_ack_pending?: number };
}

/**
 * A consumer's processor hangs: it keeps receiving but stops acknowledging until the consumer has
 * `max_ack_pending` deliveries unacknowledged (JetStream then stops delivering), and then resumes.
 * What was delivered during the stall comes again once its `ack_wait` runs out; a consumer with
 * too small a `max_deliver` gives up on it instead (a MaxDeliver advisory). It acts on the
 * workload's processor (`NemesisOptions.consumers`), watching the consumer through JetStream's API.
 */
export const stallConsumer: FaultDefinition<StallConsumer> = {
  kind: "stall-consumer",
  holdsItself: true,
  async inject(spec, context) {
    const processor = context.consumers.find((candidate) => candidate.stream === spec.stream && candidate.consumer === spec.consumer);
    if (!processor) throw NemesisError.missing("stall-consumer", `a processor of consumer ${spec.consumer} on ${spec.stream}`);
    const access = context.nats;
    if (!access) throw NemesisError.missing("stall-consumer", "JetStream access (the nemesis's nats option)");
    const hit = { stream: spec.stream, consumer: spec.consumer };
    const infoSubject = `$JS.API.CONSUMER.INFO.${spec.stream}.${spec.consumer}`;
    await withJetStreamApi(access, "stall-consumer", async (nc) => {
      context.begin(hit);
      processor.stall();
      try {
        const full = await waitUntil(
          async () => {
            const info = (await jetStreamRequest(nc, infoSubject, undefined, { timeoutMs: 5_000 })) as unknown as ConsumerInfo;
            const limit = info.config.max_ack_pending ?? 0;
            return limit > 0 && info.num_ack_pending >= limit ? info : undefined;
          },
          {
            what: `${spec.consumer} to reach max_ack_pending`,
            timeoutMs: spec.timeoutMs ?? 20_000,
            intervalMs: 100,
            signal: context.signal,
          },
        );
        context.progress(`stall-consumer: ${spec.consumer} holds ${full.num_ack_pending} unacknowledged (max_ack_pending); resuming`);
      } finally {
        processor.resume();
      }
    });
    return { target: hit, heal: async () => processor.resume() };
  },
};
