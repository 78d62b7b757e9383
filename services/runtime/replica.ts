import { Svcm } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/transport-node";
import { type Behaviour, behaviourFactory, standInHandler } from "./behaviours/index.ts";
import { type Credentials, connectService, type TlsFiles } from "./connect.ts";
import { type EndpointCounters, serveEndpoint } from "./endpoint.ts";
import { FleetError } from "./fleet-error.ts";
import { InFlight } from "./in-flight.ts";
import type { ReplicaSpec } from "./replica-spec.ts";

export interface ReplicaOptions {
  servers: string[];
  credentials?: Credentials;
  tls?: TlsFiles;
  log?: (line: string) => void;
}

/** One running instance of a service, in this process. */
export interface RunningReplica {
  service: string;
  index: number;
  /** Stop taking requests, finish the ones in flight and background work, then drain the connection. */
  drain(): Promise<void>;
  /** Close the connection at once, as a crash would: requests in flight get no answer. */
  kill(): Promise<void>;
  /** Settles when the connection has closed, however that happened. */
  closed: Promise<void>;
}

/** Connect, start the service's behaviour and register its endpoints as a NATS micro service. */
export async function startReplica(spec: ReplicaSpec, options: ReplicaOptions): Promise<RunningReplica> {
  const { service: manifestService, index } = spec;
  const log = options.log ?? (() => {});
  const nc = await connectService(options.servers, `${manifestService.name}#${index}`, options.credentials, options.tls);
  try {
    return await serve(nc, spec, log);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function startBehaviour(spec: ReplicaSpec, nc: NatsConnection, log: (line: string) => void): Promise<Behaviour> {
  const factory = await behaviourFactory(spec.service.behaviour);
  if (!factory) return { handlers: {} };
  try {
    return await factory({ spec, nc, log });
  } catch (error) {
    const { service } = spec;
    const storage = [...service.streams.map((s) => `stream ${s.name}`), ...service.kv.map((kv) => `KV bucket ${kv.bucket}`)];
    const hint = storage.length > 0 ? ` (does ${storage.join(" and ")} exist? provisionJetStream or fleet.ts --provision creates it)` : "";
    throw new FleetError(
      `${service.name}#${spec.index}: the ${service.behaviour} behaviour cannot start: ${(error as Error).message}${hint}`,
      { cause: error },
    );
  }
}

async function serve(nc: NatsConnection, spec: ReplicaSpec, log: (line: string) => void): Promise<RunningReplica> {
  const { service: manifestService, index } = spec;
  const inFlight = new InFlight();
  const behaviour = await startBehaviour(spec, nc, log);
  const counters = new Map<string, EndpointCounters>();
  // @nats-io/services carries its own nats-core copy: same wire types, distinct TypeScript types.
  const service = await new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]).add({
    name: manifestService.name,
    version: manifestService.version,
    description: manifestService.description,
    metadata: {
      ...spec.metadata,
      replica: String(index),
      behaviour: manifestService.behaviour,
      ...(spec.fleetId ? { fleet: spec.fleetId } : {}),
    },
    statsHandler: async (endpoint) => {
      const own = counters.get((endpoint as { name?: string }).name ?? "")?.snapshot();
      const extra = behaviour.statsData?.();
      return { ...own, ...(extra && typeof extra === "object" ? extra : {}) };
    },
  });
  for (const endpoint of manifestService.endpoints) {
    const handler = behaviour.handlers[endpoint.name] ?? standInHandler(spec, endpoint.name);
    counters.set(endpoint.name, serveEndpoint(service, endpoint, handler, { nc, profile: manifestService.profile, inFlight, log }));
  }
  await nc.flush();
  const closed = nc.closed().then(() => undefined);
  let draining: Promise<void> | undefined;
  return {
    service: manifestService.name,
    index,
    closed,
    drain: () => {
      draining ??= (async () => {
        if (nc.isClosed()) return;
        await service.stop();
        await inFlight.idle();
        await behaviour.stop?.();
        if (!nc.isClosed() && !nc.isDraining()) await nc.drain();
      })();
      return draining;
    },
    kill: async () => {
      if (!nc.isClosed()) await nc.close();
    },
  };
}
