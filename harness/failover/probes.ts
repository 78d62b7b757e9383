import type { NatsConnection } from "@nats-io/transport-node";
import { type HistoryRecorder, PROBE } from "../history/index.ts";
import type { Fetch } from "../net/trusted-fetch.ts";
import { sleep } from "./workloads.ts";

export interface ProbeOptions {
  readonly services: readonly string[];
  readonly gatewayUrls: readonly string[];
  /** How to reach the gateways (it trusts their CA when they serve HTTPS with a private one). */
  readonly fetch: Fetch;
  readonly intervalMs: number;
  readonly stop: AbortSignal;
}

async function countInstances(nc: NatsConnection, service: string): Promise<number> {
  const ids = new Set<string>();
  try {
    const replies = await nc.requestMany(`$SRV.PING.${service}`, "", { maxWait: 400, strategy: "timer" });
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

async function ready(fetch: Fetch, url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Reconnection probes until `stop`: `srv-ping` {service, instances} per service and `readyz` {url, ready} per gateway. */
export async function runProbes(history: HistoryRecorder, nc: NatsConnection, options: ProbeOptions): Promise<void> {
  while (!options.stop.aborted) {
    const started = performance.now();
    await Promise.all([
      ...options.services.map(async (service) => history.probe(PROBE.srvPing, { service, instances: await countInstances(nc, service) })),
      ...options.gatewayUrls.map(async (url) => history.probe(PROBE.readyz, { url, ready: await ready(options.fetch, url) })),
    ]);
    await sleep(Math.max(0, options.intervalMs - (performance.now() - started)), options.stop);
  }
}
