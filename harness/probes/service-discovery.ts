import type { NatsConnection } from "@nats-io/nats-core";

/** How many distinct instances of `service` answer `$SRV.PING` within `maxWaitMs` (0 when nobody does or NATS is down). */
export async function countServiceInstances(nc: NatsConnection, service: string, maxWaitMs = 400): Promise<number> {
  const ids = new Set<string>();
  try {
    const replies = await nc.requestMany(`$SRV.PING.${service}`, "", { maxWait: maxWaitMs, strategy: "timer" });
    for await (const reply of replies) {
      try {
        ids.add(String((reply.json() as { id?: unknown }).id));
      } catch {
        // not a discovery answer
      }
    }
  } catch {
    // no responders or a closed connection: nobody answered
  }
  return ids.size;
}
