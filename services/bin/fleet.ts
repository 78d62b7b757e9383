// Runs replicas of the reference fleet (or a user's manifest) against a NATS cluster.
//
//   node services/bin/fleet.ts --servers nats://127.0.0.1:4222 [--manifest FILE] [--only a,b]
//        [--replica-index N | --replicas N] [--mode cohosted|process] [--provision]
//        [--tls-ca FILE --tls-cert FILE --tls-key FILE]   (or GAUNTLET_NATS_TLS_CA / _CERT / _KEY)
//        [--control HOST:PORT]   (replicas killed, stopped, started over HTTP; token in GAUNTLET_FLEET_CONTROL_TOKEN)
//   with its NATS user from GAUNTLET_NATS_USER and GAUNTLET_NATS_PASS (never argv: `ps` would show it).
//
// Prints one JSON line to stdout once every replica answers $SRV.PING; SIGTERM or SIGINT drains
// (in-flight requests are answered) and exits 0. A replica spawned by `startFleet` gets its
// spec in GAUNTLET_REPLICA_SPEC and skips the manifest loader, so it starts quickly.
import { parseArgs } from "node:util";
import { type Credentials, type TlsFiles, tlsFromEnv } from "../runtime/connect.ts";
import type { ReplicaHandle } from "../runtime/fleet.ts";
import { type RunningReplica, startReplica } from "../runtime/replica.ts";
import type { ReplicaSpec } from "../runtime/replica-spec.ts";

const USAGE =
  "usage: fleet.ts --servers URL[,URL] [--manifest FILE] [--only SERVICE[,...]] [--replica-index N | --replicas N] [--mode cohosted|process] [--provision] [--tls-ca FILE --tls-cert FILE --tls-key FILE] [--control HOST:PORT]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      manifest: { type: "string" },
      servers: { type: "string" },
      "tls-ca": { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      only: { type: "string" },
      "replica-index": { type: "string" },
      replicas: { type: "string" },
      mode: { type: "string", default: "cohosted" },
      provision: { type: "boolean", default: false },
      control: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.servers) return usageError("--servers: required (comma-separated nats:// URLs)");
  const servers = values.servers
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const { GAUNTLET_NATS_USER: user, GAUNTLET_NATS_PASS: pass } = process.env;
  if ((user === undefined) !== (pass === undefined)) return usageError("GAUNTLET_NATS_USER and GAUNTLET_NATS_PASS: set both or neither");
  const credentials = user !== undefined && pass !== undefined ? { user, pass } : undefined;
  const tls = tlsFromEnv({
    GAUNTLET_NATS_TLS_CA: values["tls-ca"] ?? process.env.GAUNTLET_NATS_TLS_CA,
    GAUNTLET_NATS_TLS_CERT: values["tls-cert"] ?? process.env.GAUNTLET_NATS_TLS_CERT,
    GAUNTLET_NATS_TLS_KEY: values["tls-key"] ?? process.env.GAUNTLET_NATS_TLS_KEY,
  });
  const access = { credentials, tls };
  const log = (line: string) => process.stderr.write(`${line}\n`);

  const inherited = process.env.GAUNTLET_REPLICA_SPEC;
  if (inherited) return runReplicas([JSON.parse(inherited) as ReplicaSpec], servers, access, log);

  const { loadManifest, DEFAULT_MANIFEST } = await import("../manifest/index.ts");
  const manifest = await loadManifest(values.manifest ?? DEFAULT_MANIFEST);
  const only = values.only
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (values.provision) {
    const { connectService } = await import("../runtime/connect.ts");
    const { provisionJetStream } = await import("../runtime/provision.ts");
    const nc = await connectService(servers, "gauntlet-fleet-provision", credentials, tls);
    await provisionJetStream(nc, manifest).finally(() => nc.close());
  }
  const replicaIndex = values["replica-index"];
  if (replicaIndex !== undefined) {
    const index = Number(replicaIndex);
    if (!Number.isInteger(index) || index < 0) return usageError(`--replica-index: expected a whole number, got ${replicaIndex}`);
    const { replicaSpec } = await import("../runtime/replica-spec.ts");
    const services = manifest.services.filter((s) => !only || only.includes(s.name));
    const missing = only?.filter((name) => !services.some((s) => s.name === name)) ?? [];
    if (missing.length > 0) return usageError(`--only: no service named ${missing.join(", ")} in ${manifest.file}`);
    return runReplicas(
      services.map((s) => replicaSpec(manifest, s, index)),
      servers,
      access,
      log,
    );
  }
  if (values.mode !== "cohosted" && values.mode !== "process")
    return usageError(`--mode: expected cohosted or process, got ${values.mode}`);
  const replicas = values.replicas === undefined ? undefined : Number(values.replicas);
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 1))
    return usageError(`--replicas: expected a whole number above 0, got ${values.replicas}`);
  const { startFleet } = await import("../runtime/fleet.ts");
  const fleet = await startFleet({
    manifest,
    servers,
    mode: values.mode,
    log,
    ...(credentials ? { credentials } : {}),
    ...(tls ? { tls } : {}),
    ...(only ? { only } : {}),
    ...(replicas ? { replicas } : {}),
  });
  const control = values.control ? await startControl(values.control, fleet.replicas) : undefined;
  const stopped = onceSignalled().then(async () => {
    await control?.close();
    await fleet.stop();
  });
  await fleet.waitReady(60_000).catch(async (error: unknown) => {
    await control?.close();
    await fleet.stop();
    throw error;
  });
  const listing = fleet.replicas.map((r) => ({ service: r.service, index: r.index, ...(r.pid ? { pid: r.pid } : {}) }));
  process.stdout.write(`${JSON.stringify({ ready: true, replicas: listing })}\n`);
  await stopped;
  return 0;
}

async function runReplicas(
  specs: ReplicaSpec[],
  servers: string[],
  access: { credentials: Credentials | undefined; tls: TlsFiles | undefined },
  log: (line: string) => void,
): Promise<number> {
  const { credentials, tls } = access;
  const signalled = onceSignalled();
  const running: RunningReplica[] = await Promise.all(
    specs.map((spec) => startReplica(spec, { servers, ...(credentials ? { credentials } : {}), ...(tls ? { tls } : {}), log })),
  );
  process.stdout.write(
    `${JSON.stringify({ ready: true, replicas: running.map((r) => ({ service: r.service, index: r.index, pid: process.pid })) })}\n`,
  );
  const outcome = await Promise.race([
    signalled.then(() => "signal" as const),
    Promise.race(running.map((r) => r.closed)).then(() => "closed" as const),
  ]);
  await Promise.all(running.map((r) => r.drain()));
  if (outcome === "closed") {
    log("a replica's NATS connection closed unexpectedly");
    return 1;
  }
  return 0;
}

async function startControl(address: string, replicas: ReplicaHandle[]): Promise<{ close(): Promise<void> }> {
  const token = process.env.GAUNTLET_FLEET_CONTROL_TOKEN;
  const match = /^(.+):(\d+)$/.exec(address);
  if (!token || !match) throw new Error("--control: expected HOST:PORT, with its token in GAUNTLET_FLEET_CONTROL_TOKEN");
  const { serveFleetControl } = await import("../runtime/fleet-control.ts");
  return serveFleetControl({ replicas, token, host: match[1] as string, port: Number(match[2]) });
}

function onceSignalled(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
}

function usageError(problem: string): number {
  process.stderr.write(`fleet: ${problem}\n${USAGE}\n`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fleet: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(typeof (error as { exitCode?: unknown })?.exitCode === "number" ? (error as { exitCode: number }).exitCode : 1);
  },
);
