import { type ConnectionOptions, connect, type NatsConnection } from "@nats-io/transport-node";
import { loadTarget, type Target, targetAuth } from "../../harness/config/index.ts";

/** The system under test, as `gauntlet run` hands it to a suite (GAUNTLET_TARGET = target file). */
export async function suiteTarget(): Promise<Target> {
  const file = process.env.GAUNTLET_TARGET;
  if (!file) throw new Error("GAUNTLET_TARGET is not set: suites run through `gauntlet run` (or set it to a target file)");
  return loadTarget(file);
}

/** Connection options for the target's NATS, with its credentials, tuned to notice faults quickly. */
export function natsOptions(target: Target, servers: readonly string[] = target.nats.servers): ConnectionOptions {
  return {
    servers: [...servers],
    name: "gauntlet-suite",
    pingInterval: 2_000,
    maxPingOut: 2,
    reconnectTimeWait: 250,
    maxReconnectAttempts: -1,
    ...targetAuth(target),
  };
}

export function connectTarget(target: Target, servers?: readonly string[]): Promise<NatsConnection> {
  return connect(natsOptions(target, servers));
}
