import type { EndpointHandler } from "../endpoint.ts";
import { sampleLatency, sleep } from "../latency.ts";
import type { ReplicaSpec } from "../replica-spec.ts";

/** Behaves only as the profile says: wait a latency draw, call every downstream with its sample, answer `payloadBytes` of filler. */
export function standInHandler(spec: ReplicaSpec, endpoint: string): EndpointHandler {
  const { profile, name } = spec.service;
  const payload = "x".repeat(profile.payloadBytes);
  return async (_body, context) => {
    await sleep(sampleLatency(profile.latency));
    const downstream: { call: string; ok: boolean }[] = [];
    for (const target of spec.calls) {
      await context.call(target, target.sample);
      downstream.push({ call: target.call, ok: true });
    }
    return { service: name, endpoint, replica: spec.index, payload, downstream };
  };
}
