import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { StartedTestContainer } from "testcontainers";
import { Wait } from "testcontainers";
import { GauntletError } from "../../lib/errors/index.ts";
import { loadManifest } from "../../services/manifest/index.ts";
import type { ControlServer } from "../control/index.ts";
import { freePorts } from "../net/free-port.ts";
import {
  containerPid,
  DockerCluster,
  DockerNode,
  DockerReplica,
  FleetContainerReplica,
  GauntletContainer,
  inContainer,
  nodeImage,
  requireDockerEngine,
  type StartedDockerCluster,
  tlsMount,
} from "../providers/docker/index.ts";
import type { LocalStackOptions } from "./local-stack.ts";
import {
  authorization,
  type Credentials,
  fitReplicas,
  MAX_PAYLOAD,
  newUsers,
  provisionStreams,
  publishStack,
  randomSecret,
} from "./stack-parts.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FLEET_BIN = join(REPO_ROOT, "services/bin/fleet.ts");
const GATEWAY_BIN = join(REPO_ROOT, "gateway/bin/gateway.ts");
const NODE = "/usr/local/bin/node";
const GATEWAY_PORT = 8080;
const FLEET_CONTROL_PORT = 7000;
/** Host numbers on the stack's network: nodes take 1…N, the fleet and gateways these. */
const FLEET_HOST = 200;
const FIRST_GATEWAY_HOST = 210;

export interface DockerImages {
  /** A nats-server image whose entrypoint is nats-server (default: built here, FROM scratch). */
  readonly nats?: string | undefined;
  /** A Node.js ≥ 22.12 image with node at /usr/local/bin/node, for the services and gateways (default: built here, FROM scratch). */
  readonly service?: string | undefined;
}

export interface DockerStackOptions extends LocalStackOptions {
  readonly images?: DockerImages;
  /** The version `natsServer` was built from, for the image's tag. */
  readonly natsVersion?: string;
}

export class DockerStackError extends GauntletError {
  override name = "DockerStackError";
}

/** Everything `gauntlet up --provider docker` runs: the cluster's containers, the fleet co-hosted in one container, a container per gateway. */
export class StartedDockerStack implements AsyncDisposable {
  readonly cluster: StartedDockerCluster;
  readonly targetFile: string;
  readonly gateways: readonly DockerReplica[];
  readonly admin: Credentials | undefined;
  readonly control: ControlServer;
  readonly #fleetPid: number | undefined;

  constructor(parts: {
    cluster: StartedDockerCluster;
    targetFile: string;
    control: ControlServer;
    gateways: DockerReplica[];
    fleetPid: number | undefined;
    admin: Credentials | undefined;
  }) {
    this.cluster = parts.cluster;
    this.targetFile = parts.targetFile;
    this.control = parts.control;
    this.gateways = parts.gateways;
    this.admin = parts.admin;
    this.#fleetPid = parts.fleetPid;
  }

  get id(): string {
    return this.cluster.id;
  }

  get dir(): string {
    return this.cluster.dir;
  }

  /** The containers' main processes, as this machine sees them (for resource sampling). */
  get pids(): number[] {
    const pids = [...this.cluster.nodes.map((node) => node.pid), ...this.gateways.map((gateway) => gateway.pid), this.#fleetPid];
    return [...new Set(pids.filter((pid): pid is number => pid !== undefined))];
  }

  /** The control API closes, then every container and the network go at once (force-removed: the run is over, nothing needs a drain). */
  async stop(): Promise<void> {
    await this.control.close();
    await this.cluster.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** The code runs from this checkout, bind-mounted read-only at the same path (and the manifest's folder when it lies elsewhere). */
function codeMounts(manifest: string): { source: string; target: string; mode: "ro" }[] {
  const mounts = [{ source: REPO_ROOT, target: REPO_ROOT, mode: "ro" as const }];
  const manifestDir = dirname(manifest);
  if (relative(REPO_ROOT, manifestDir).startsWith("..")) mounts.push({ source: manifestDir, target: manifestDir, mode: "ro" });
  return mounts;
}

/**
 * The host's Node compile cache (the bootstrap sets NODE_COMPILE_CACHE), shared with the
 * containers at the same path: the same binary reuses it, so the fleet and gateways start as
 * quickly as local processes do. Another Node (an --image service=…) keeps its own entries there.
 */
function compileCacheMount(): { source: string; target: string; mode: "rw" }[] {
  const cache = process.env.NODE_COMPILE_CACHE;
  return cache && existsSync(cache) ? [{ source: cache, target: cache, mode: "rw" }] : [];
}

function compileCacheEnv(): Record<string, string> {
  const cache = process.env.NODE_COMPILE_CACHE;
  return cache && existsSync(cache) ? { NODE_COMPILE_CACHE: cache } : {};
}

function nodeContainer(image: string, cluster: StartedDockerCluster, name: string, host: number, manifest: string): GauntletContainer {
  const network = cluster.dockerNetwork;
  if (!network) throw new DockerStackError("the cluster has no Docker network");
  return new GauntletContainer(image, cluster.id)
    .withName(`gauntlet-${cluster.id}-${name}`)
    .withAddress(network.name, network.address(host), name)
    .withEntrypoint([NODE])
    .withBindMounts([...codeMounts(manifest), ...compileCacheMount(), ...(cluster.tls ? [tlsMount(cluster.tls)] : [])])
    .withEnvironment(compileCacheEnv())
    .withTmpFs({ "/tmp": "rw" })
    .withLogConsumer(DockerNode.appendTo(join(cluster.dir, `${name}.log`)))
    .withStartupTimeout(60_000);
}

interface FleetParts {
  readonly gateways: DockerReplica[];
  readonly services: FleetContainerReplica[];
  /** The co-hosted fleet's process (its container is never restarted). */
  readonly fleetPid: number | undefined;
}

async function startFleetAndGateways(
  options: DockerStackOptions & { fleet: NonNullable<Exclude<LocalStackOptions["fleet"], false>> },
  cluster: StartedDockerCluster,
  users: ReturnType<typeof newUsers>,
): Promise<FleetParts> {
  const { progress } = options;
  const manifestFile = options.fleet.manifest;
  const image =
    options.images?.service ??
    (await progress.run(
      "Node.js runtime image",
      () => nodeImage(),
      (tag) => tag,
    ));
  const servers = cluster.internalClientUrls.join(",");
  const tls = cluster.tls ? inContainer(cluster.tls) : undefined;
  const natsTlsArgs = tls ? ["--tls-ca", tls.ca, "--tls-cert", tls.client.cert, "--tls-key", tls.client.key] : [];
  const httpsArgs = tls ? ["--https-cert", tls.server.cert, "--https-key", tls.server.key] : [];
  const [controlPort, ...ports] = await freePorts(options.fleet.gateways + 1);
  const controlToken = randomBytes(16).toString("base64url");
  const env = (credentials: Credentials) => ({ GAUNTLET_NATS_USER: credentials.user, GAUNTLET_NATS_PASS: credentials.pass });
  const manifest = await loadManifest(manifestFile);
  const replicas = manifest.services.reduce((count, service) => count + service.replicas, 0);
  const title = `${manifest.services.length} services, ${replicas} replicas (co-hosted in one container), ${ports.length} gateway container(s)`;
  return progress.run(title, async () => {
    const fleet = nodeContainer(image, cluster, "fleet", FLEET_HOST, manifestFile)
      .withCommand([
        "--disable-warning=ExperimentalWarning",
        FLEET_BIN,
        "--servers",
        servers,
        "--manifest",
        manifestFile,
        "--mode",
        "cohosted",
        "--control",
        `0.0.0.0:${FLEET_CONTROL_PORT}`,
        ...natsTlsArgs,
      ])
      .withEnvironment({ ...env(users.service), GAUNTLET_FLEET_CONTROL_TOKEN: controlToken })
      .withLoopbackPorts({ container: FLEET_CONTROL_PORT, host: controlPort as number })
      .withWaitStrategy(Wait.forLogMessage(/"ready":true/))
      .start();
    const gateways = ports.map(async (port, index) => {
      const name = `gateway-${index + 1}`;
      const container: StartedTestContainer = await nodeContainer(image, cluster, name, FIRST_GATEWAY_HOST + index, manifestFile)
        .withCommand([
          "--disable-warning=ExperimentalWarning",
          GATEWAY_BIN,
          "--manifest",
          manifestFile,
          "--servers",
          servers,
          "--host",
          "0.0.0.0",
          "--port",
          String(GATEWAY_PORT),
          ...natsTlsArgs,
          ...httpsArgs,
        ])
        .withEnvironment(env(users.gateway))
        .withLoopbackPorts({ container: GATEWAY_PORT, host: port })
        // It prints its URL once listening; then /readyz (NATS connected), asked by the replica with the run's CA.
        .withWaitStrategy(Wait.forLogMessage(/"url":/))
        .start();
      const replica = await DockerReplica.attach({
        name,
        url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
        container,
        readyPath: "/readyz",
        ca: cluster.tls?.ca,
      });
      await replica.ready(60_000);
      return replica;
    });
    const [started, ...ready] = await Promise.all([fleet, ...gateways]);
    const fleetPid = await containerPid((started as StartedTestContainer).getId());
    const services = await FleetContainerReplica.list(`http://127.0.0.1:${controlPort}`, controlToken);
    return { gateways: ready as DockerReplica[], services, fleetPid };
  });
}

export async function startDockerStack(options: DockerStackOptions): Promise<StartedDockerStack> {
  await requireDockerEngine();
  const { progress } = options;
  const manifest = options.fleet ? fitReplicas(await loadManifest(options.fleet.manifest), options.nodes) : undefined;
  const users = manifest ? newUsers(options.newSecret ?? randomSecret) : undefined;
  const builder = new DockerCluster()
    .withNodes(options.nodes)
    .withMaxPayload(MAX_PAYLOAD)
    .withSyncAlways(options.syncAlways ?? false)
    .withTls(options.tls ?? false)
    .withDiskFaults(options.diskFaults ?? false)
    .withRouteProxies(options.network === "proxy")
    .withConfig(manifest && users ? authorization(users, manifest) : {})
    .withProgress((message) => progress.detail(message));
  if (options.images?.nats) builder.withImage(options.images.nats);
  else if (options.natsServer) builder.withNatsServer(options.natsServer, options.natsVersion ?? "custom");
  const cluster = await progress.run(
    `${options.nodes}-node NATS cluster (containers)`,
    () => builder.start(options.signal),
    (started) => `formed, meta leader ${started.formation?.metaLeader}`,
  );
  try {
    let parts: FleetParts | undefined;
    if (options.fleet && manifest && users) {
      const tls = cluster.tls ? { ca: cluster.tls.ca, ...cluster.tls.client } : undefined;
      await provisionStreams({ servers: cluster.clientUrls, admin: users.admin, tls, manifest, progress });
      parts = await startFleetAndGateways({ ...options, fleet: options.fleet }, cluster, users);
    }
    const { control, targetFile } = await publishStack(
      `docker stack ${cluster.id}`,
      cluster,
      { services: parts?.services ?? [], gateways: parts?.gateways ?? [] },
      {
        users,
        systemUser: { user: cluster.systemAccount.user, pass: cluster.systemAccount.pass },
        manifest: options.fleet ? options.fleet.manifest : undefined,
      },
    );
    return new StartedDockerStack({
      cluster,
      targetFile,
      control,
      gateways: parts?.gateways ?? [],
      fleetPid: parts?.fleetPid,
      admin: users?.admin,
    });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
