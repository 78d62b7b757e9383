import { type History, OP, PROBE, PROBE_PROCESS } from "../history/index.ts";
import { type CheckResult, examples } from "./result.ts";

interface GivenUp {
  readonly stream: string;
  readonly streamSeq: number;
  readonly deliveries: number;
}

/**
 * What the processor's consumer went through: messages JetStream delivered more than once
 * (redeliveries after an ack_wait ran out, counted from the reads) and messages it gave up on
 * after `max_deliver` deliveries (its MaxDeliver advisories, the `max-deliveries` probe entries).
 * Redeliveries are what at-least-once delivery does; a message given up on was never processed.
 */
export function checkConsumerDeliveries(
  history: History,
  consumer: string,
): CheckResult<{ givenUp: { total: number; examples: readonly GivenUp[] } }> {
  let redelivered = 0;
  for (const entry of history) {
    if (entry.f !== OP.read || entry.type !== "ok" || !Array.isArray(entry.value)) continue;
    for (const ref of entry.value as { deliveries?: number }[]) if ((ref.deliveries ?? 1) > 1) redelivered += 1;
  }
  const givenUp = history
    .filter((entry) => entry.process === PROBE_PROCESS && entry.f === PROBE.maxDeliveries)
    .map((entry) => entry.value as GivenUp & { consumer: string })
    .filter((value) => value.consumer === consumer)
    .map(({ stream, streamSeq, deliveries }) => ({ stream, streamSeq, deliveries }));
  return {
    checker: "consumer",
    valid: givenUp.length === 0,
    reason:
      givenUp.length === 0
        ? `${redelivered} message(s) redelivered to ${consumer}, none given up on`
        : `JetStream gave up on ${givenUp.length} message(s) of ${consumer} after max_deliver deliveries (MaxDeliver advisories, e.g. stream sequence ${givenUp
            .slice(0, 3)
            .map((value) => value.streamSeq)
            .join(", ")}): never processed; ${redelivered} redelivered`,
    counts: { redelivered, maxDeliveries: givenUp.length },
    details: { givenUp: examples(givenUp, 20) },
  };
}
