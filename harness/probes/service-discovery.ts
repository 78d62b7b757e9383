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

/** One instance of a NATS micro service, as its `$SRV.PING` answer names it. */
export interface ServiceInstance {
  readonly name: string;
  readonly id: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Every service instance that answers `$SRV.PING` within `maxWaitMs` (none when NATS is down). */
export async function discoverServiceInstances(nc: NatsConnection, maxWaitMs = 500): Promise<ServiceInstance[]> {
  const instances = new Map<string, ServiceInstance>();
  try {
    const replies = await nc.requestMany("$SRV.PING", "", { maxWait: maxWaitMs, strategy: "timer" });
    for await (const reply of replies) {
      try {
        const { name, id, metadata } = reply.json() as { name?: unknown; id?: unknown; metadata?: Record<string, string> };
        if (typeof name === "string" && typeof id === "string") instances.set(id, { name, id, metadata: metadata ?? {} });
      } catch {
        // not a discovery answer
      }
    }
  } catch {
    // no responders or a closed connection: nobody answered
  }
  return [...instances.values()];
}
