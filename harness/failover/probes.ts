import type { NatsConnection } from "@nats-io/transport-node";
import { type HistoryRecorder, PROBE } from "../history/index.ts";
import type { Fetch } from "../net/trusted-fetch.ts";
import { countServiceInstances, probeGatewayReadiness } from "../probes/index.ts";
import { sleep } from "./pacing.ts";

export interface ProbeOptions {
  readonly services: readonly string[];
  readonly gatewayUrls: readonly string[];
  /** How to reach the gateways (it trusts their CA when they serve HTTPS with a private one). */
  readonly fetch: Fetch;
  readonly intervalMs: number;
  readonly stop: AbortSignal;
}

/** Reconnection probes until `stop`: `srv-ping` {service, instances} per service and `readyz` {url, ready} per gateway. */
export async function runProbes(history: HistoryRecorder, nc: NatsConnection, options: ProbeOptions): Promise<void> {
  while (!options.stop.aborted) {
    const started = performance.now();
    await Promise.all([
      ...options.services.map(async (service) =>
        history.probe(PROBE.srvPing, { service, instances: await countServiceInstances(nc, service) }),
      ),
      ...options.gatewayUrls.map(async (url) =>
        history.probe(PROBE.readyz, { url, ready: (await probeGatewayReadiness(url, { fetch: options.fetch })).ready }),
      ),
    ]);
    await sleep(Math.max(0, options.intervalMs - (performance.now() - started)), options.stop);
  }
}
