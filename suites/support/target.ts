import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Target } from "../../harness/config/index.ts";
import { resolveTargetFile } from "../../harness/providers/index.ts";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";

/** The system under test, as `gauntlet run` hands it to a suite (GAUNTLET_TARGET = target file). */
export async function suiteTarget(): Promise<Target> {
  const file = process.env.GAUNTLET_TARGET;
  if (!file) throw new Error("GAUNTLET_TARGET is not set: suites run through `gauntlet run` (or set it to a target file)");
  return resolveTargetFile(file);
}

/** A connection to the target's NATS with its credentials and TLS, tuned to notice faults quickly. */
export function connectTarget(target: Target, servers?: readonly string[]): Promise<NatsConnection> {
  return connect(natsConnectionOptions(target.nats, { name: "gauntlet-suite", ...(servers ? { servers } : {}) }));
}
