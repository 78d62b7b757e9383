import { createInbox, type NatsConnection } from "@nats-io/transport-node";
import { RetryError, waitUntil } from "../../lib/retry/index.ts";
import { FleetError } from "./fleet-error.ts";
import { sleep } from "./latency.ts";

/**
 * How many instances of each service answer `$SRV.PING` right now (one round, up to `windowMs`);
 * with `fleetId`, only instances whose metadata says they belong to that fleet.
 */
export async function pingCounts(
  nc: NatsConnection,
  expected: Map<string, number>,
  windowMs = 250,
  fleetId?: string,
): Promise<Map<string, number>> {
  const ids = new Map<string, Set<string>>();
  const inbox = createInbox();
  const satisfied = () => [...expected].every(([name, count]) => (ids.get(name)?.size ?? 0) >= count);
  const sub = nc.subscribe(inbox);
  const collect = (async () => {
    for await (const msg of sub) {
      if (msg.data.length === 0) continue; // a no-responders status: nothing is up yet
      const { name, id, metadata } = msg.json<{ name: string; id: string; metadata?: Record<string, string> }>();
      if (fleetId && metadata?.fleet !== fleetId) continue;
      if (!ids.has(name)) ids.set(name, new Set());
      ids.get(name)?.add(id);
      if (satisfied()) break;
    }
  })();
  nc.publish("$SRV.PING", "", { reply: inbox });
  await Promise.race([collect, sleep(windowMs)]);
  sub.unsubscribe();
  await collect;
  return new Map([...ids].map(([name, set]) => [name, set.size]));
}

/** Resolve once every service answers `$SRV.PING` with at least its expected number of instances. */
export async function waitForInstances(
  nc: NatsConnection,
  expected: Map<string, number>,
  timeoutMs: number,
  options: { signal?: AbortSignal; check?: () => void; fleetId?: string } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let counts = new Map<string, number>();
  const missing = () => [...expected].filter(([name, count]) => (counts.get(name) ?? 0) < count);
  await waitUntil(
    async () => {
      options.check?.();
      counts = await pingCounts(nc, expected, Math.min(250, Math.max(50, deadline - performance.now())), options.fleetId);
      return missing().length === 0 ? true : undefined;
    },
    // Each attempt waits up to 250 ms for answers: no pause between them; a failing check ends the wait.
    { what: "every service instance", timeoutMs, intervalMs: 0, retryIf: () => false, signal: options.signal },
  ).catch((error) => {
    if (!(error instanceof RetryError)) throw error;
    const found = missing().map(([name, count]) => `${name} ${counts.get(name) ?? 0}/${count}`);
    if (counts.size === 0) found.push("(no service answered at all: are the servers right, and may this user publish $SRV.PING?)");
    throw FleetError.notReady(timeoutMs, found);
  });
}
