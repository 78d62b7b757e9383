import { Svcm } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/transport-node";
import { behaviourFactory, standInHandler } from "./behaviours/index.ts";
import { type Credentials, connectService } from "./connect.ts";
import { serveEndpoint } from "./endpoint.ts";
import { InFlight } from "./in-flight.ts";
import type { ReplicaSpec } from "./replica-spec.ts";

export interface ReplicaOptions {
  servers: string[];
  credentials?: Credentials;
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
  const nc = await connectService(options.servers, `${manifestService.name}#${index}`, options.credentials);
  try {
    return await serve(nc, spec, log);
  } catch (error) {
    await nc.close();
    throw error;
  }
}

async function serve(nc: NatsConnection, spec: ReplicaSpec, log: (line: string) => void): Promise<RunningReplica> {
  const { service: manifestService, index } = spec;
  const inFlight = new InFlight();
  const factory = await behaviourFactory(manifestService.behaviour);
  const behaviour = factory ? await factory({ spec, nc, log }) : { handlers: {} };
  // @nats-io/services carries its own nats-core copy: same wire types, distinct TypeScript types.
  const service = await new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]).add({
    name: manifestService.name,
    version: manifestService.version,
    description: manifestService.description,
    metadata: { replica: String(index), behaviour: manifestService.behaviour },
    ...(behaviour.statsData ? { statsHandler: async () => behaviour.statsData?.() } : {}),
  });
  for (const endpoint of manifestService.endpoints) {
    const handler = behaviour.handlers[endpoint.name] ?? standInHandler(spec, endpoint.name);
    serveEndpoint(service, endpoint, handler, { nc, profile: manifestService.profile, inFlight, log });
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
