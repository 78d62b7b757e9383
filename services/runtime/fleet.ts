import { randomBytes } from "node:crypto";
import type { Manifest, ManifestService } from "../manifest/types.ts";
import { type ChildReplica, spawnReplica } from "./child-replica.ts";
import { type Credentials, connectService, type TlsFiles } from "./connect.ts";
import { FleetError } from "./fleet-error.ts";
import { FleetReplica, fromChild, fromCohosted } from "./fleet-replica.ts";
import { waitForInstances } from "./ready.ts";
import { startReplica } from "./replica.ts";
import { type ReplicaSpec, replicaSpec } from "./replica-spec.ts";

export interface FleetOptions {
  manifest: Manifest;
  servers: string[];
  credentials?: Credentials;
  /** TLS for every replica's NATS connection. */
  tls?: TlsFiles;
  /** `process`: one Node process per replica (for kill tests); `cohosted`: all in this process (cheap). */
  mode: "process" | "cohosted";
  /** Replicas per service, overriding the manifest's. */
  replicas?: number;
  /** Only these services (default: all). */
  only?: string[];
  signal?: AbortSignal;
  /** Progress and replica output (default: stderr). */
  log?: (line: string) => void;
}

/** One replica of one service: crash it, drain it, start it again; `pid` is set in process mode. */
export type ReplicaHandle = FleetReplica;

export interface StartedFleet {
  replicas: ReplicaHandle[];
  /** Tags this fleet's instances (`metadata.fleet` in `$SRV` answers). */
  id: string;
  /** Resolve once every service answers `$SRV.PING` with at least its replica count of this fleet's instances. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** Drain every replica, callers before the services they call. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Start the fleet's replicas; call `waitReady` to know when they all answer. */
export async function startFleet(options: FleetOptions): Promise<StartedFleet> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const services = selectServices(options.manifest, options.only);
  const countOf = (service: ManifestService) => options.replicas ?? service.replicas;
  const fleetId = randomBytes(6).toString("hex");
  const specs = services.flatMap((service) =>
    Array.from({ length: countOf(service) }, (_, index) => replicaSpec(options.manifest, service, index, fleetId)),
  );
  options.signal?.throwIfAborted();

  const connection = {
    servers: options.servers,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    log,
  };
  const children: ChildReplica[] = [];
  const launcherFor = (spec: ReplicaSpec) =>
    options.mode === "process"
      ? async () => {
          const child = spawnReplica(spec, connection);
          children.push(child);
          return fromChild(child);
        }
      : async () => fromCohosted(await startReplica(spec, connection));
  const started = await Promise.allSettled(specs.map((spec) => FleetReplica.launch(spec.service.name, spec.index, launcherFor(spec))));
  const replicas = started.filter((r): r is PromiseFulfilledResult<FleetReplica> => r.status === "fulfilled").map((r) => r.value);
  const failure = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failure) {
    await Promise.all(replicas.map((r) => r.kill()));
    throw new FleetError(`cannot start the fleet: ${(failure.reason as Error).message}`, { cause: failure.reason });
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopInOrder(services, replicas);
    return stopping;
  };
  const onAbort = () => void stop();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  const expected = new Map(services.map((s) => [s.name, countOf(s)]));
  const checkChildren = () => {
    for (const child of children) {
      const exit = child.unexpectedExit();
      if (exit) throw FleetError.replicaExited(`${child.service}#${child.index}`, exit.code, exit.signal, child.stderrTail());
    }
  };

  return {
    id: fleetId,
    replicas,
    waitReady: async (timeoutMs = 30_000) => {
      const nc = await connectService(options.servers, "gauntlet-fleet-probe", options.credentials, options.tls);
      try {
        await waitForInstances(nc, expected, timeoutMs, {
          ...(options.signal ? { signal: options.signal } : {}),
          check: checkChildren,
          fleetId,
        });
      } finally {
        await nc.close();
      }
    },
    stop,
    [Symbol.asyncDispose]: () => {
      options.signal?.removeEventListener("abort", onAbort);
      return stop();
    },
  };
}

function selectServices(manifest: Manifest, only: string[] | undefined): ManifestService[] {
  if (!only) return manifest.services;
  const unknown = only.filter((name) => !manifest.services.some((s) => s.name === name));
  if (unknown.length > 0) throw new FleetError(`${manifest.file}: no service named ${unknown.join(", ")}`);
  return manifest.services.filter((s) => only.includes(s.name));
}

/** Callers stop before the services they call, so a multi-hop request in flight can still finish. */
async function stopInOrder(services: ManifestService[], replicas: ReplicaHandle[]): Promise<void> {
  let remaining = services.map((s) => s.name);
  while (remaining.length > 0) {
    const called = new Set(services.filter((s) => remaining.includes(s.name)).flatMap((s) => s.calls.map((c) => c.split(".")[0])));
    const wave = remaining.filter((name) => !called.has(name));
    const batch = wave.length > 0 ? wave : remaining;
    await Promise.all(replicas.filter((r) => batch.includes(r.service)).map((r) => r.stop()));
    remaining = remaining.filter((name) => !batch.includes(name));
  }
}

export interface ReplicaLaunch {
  readonly servers: string[];
  readonly credentials?: Credentials;
  readonly tls?: TlsFiles;
  readonly mode: "process" | "cohosted";
  readonly log: (line: string) => void;
}

/** One replica on its own, outside a fleet (the AWS twin starts one per ECS task). */
export function launchReplica(spec: ReplicaSpec, options: ReplicaLaunch): Promise<FleetReplica> {
  const { mode, ...connection } = options;
  return FleetReplica.launch(spec.service.name, spec.index, async () =>
    mode === "process" ? fromChild(spawnReplica(spec, connection)) : fromCohosted(await startReplica(spec, connection)),
  );
}
