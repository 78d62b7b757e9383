import { DEFAULT_MANIFEST, loadManifest, type Manifest } from "../../services/manifest/index.ts";
import { type StartedFleet, startFleet } from "../../services/runtime/index.ts";
import type { ControlServer } from "../control/index.ts";
import { LocalCluster, type NetworkChoice, type StartedLocalCluster } from "../providers/local/index.ts";
import type { TaskList } from "../ui/index.ts";
import { GatewayProcess } from "./gateway-process.ts";
import {
  authorization,
  type Credentials,
  fitReplicas,
  MAX_PAYLOAD,
  newUsers,
  provisionStreams,
  publishStack,
  randomSecret,
  type StackUsers,
} from "./stack-parts.ts";

export interface FleetChoice {
  readonly manifest: string;
  /** One process per replica (as production, needed to kill one) or all co-hosted in this process. */
  readonly mode: "process" | "cohosted";
  readonly gateways: number;
}

export interface LocalStackOptions {
  readonly nodes: number;
  readonly progress: TaskList;
  readonly signal?: AbortSignal;
  /** The reference fleet (or the manifest's) and its gateways; `false` for the NATS cluster alone. */
  readonly fleet: FleetChoice | false;
  /** A network the control API can cut (partitions): kernel, proxy, auto (kernel where it works); default none. */
  readonly network?: NetworkChoice;
  /** TLS everywhere: NATS clients and routes (client certificates verified), the gateways serve HTTPS. */
  readonly tls?: boolean;
  /** JetStream fsyncs every write before acknowledging it (`sync_interval: always`). */
  readonly syncAlways?: boolean;
  /** Each node's JetStream store on a tmpfs of its own (as root), so `disk-full` can fill one node's disk. */
  readonly diskFaults?: boolean;
  /** The nats-server binary every node runs (`ensureNatsServer(version)`); default the bootstrap's. */
  readonly natsServer?: string;
  /** Makes each NATS user's password (default: 12 random bytes, base64url, so it may start with `-`). */
  readonly newSecret?: () => string;
}

function systemUserOf(cluster: StartedLocalCluster): Credentials | undefined {
  const { user, pass } = cluster.systemAccount;
  return user !== undefined && pass !== undefined ? { user, pass } : undefined;
}

/** Everything `gauntlet up` runs locally, and the target file that describes it to probes and suites. */
export class StartedLocalStack implements AsyncDisposable {
  readonly cluster: StartedLocalCluster;
  readonly targetFile: string;
  readonly fleet: StartedFleet | undefined;
  readonly gateways: readonly GatewayProcess[];
  readonly admin: Credentials | undefined;
  readonly control: ControlServer;

  constructor(parts: {
    cluster: StartedLocalCluster;
    targetFile: string;
    control: ControlServer;
    fleet?: StartedFleet | undefined;
    gateways?: GatewayProcess[] | undefined;
    admin?: Credentials | undefined;
  }) {
    this.cluster = parts.cluster;
    this.targetFile = parts.targetFile;
    this.control = parts.control;
    this.fleet = parts.fleet;
    this.gateways = parts.gateways ?? [];
    this.admin = parts.admin;
  }

  get id(): string {
    return this.cluster.id;
  }

  get dir(): string {
    return this.cluster.dir;
  }

  /** The processes of the system under test (nodes, gateways, service replicas) that are running, for resource sampling. */
  get pids(): number[] {
    const pids = [
      ...this.cluster.nodes.map((node) => node.pid),
      ...this.gateways.map((gateway) => gateway.pid),
      ...(this.fleet?.replicas.map((replica) => replica.pid) ?? []),
    ];
    return [...new Set(pids.filter((pid): pid is number => pid !== undefined && pid !== process.pid))];
  }

  /** Front to back: gateways drain first, then services, then the cluster. */
  async stop(): Promise<void> {
    await this.control.close();
    await Promise.all(this.gateways.map((gateway) => gateway.stop()));
    await this.fleet?.stop();
    await this.cluster.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

async function startFleetAndGateways(
  options: LocalStackOptions & { fleet: FleetChoice },
  cluster: StartedLocalCluster,
  manifest: Manifest,
  users: StackUsers,
): Promise<{ fleet: StartedFleet; gateways: GatewayProcess[] }> {
  const { progress } = options;
  const servers = cluster.clientUrls;
  const tls = cluster.tls;
  const clientTls = tls ? { ca: tls.ca, ...tls.client } : undefined;
  await provisionStreams({ servers, admin: users.admin, tls: clientTls, manifest, progress });
  const replicas = manifest.services.reduce((count, service) => count + service.replicas, 0);
  const gateways = Array.from(
    { length: options.fleet.gateways },
    (_, index) =>
      new GatewayProcess({ name: `gateway-${index + 1}`, manifest: options.fleet.manifest, servers, credentials: users.gateway, tls }),
  );
  const started: StartedFleet[] = [];
  const title = `${manifest.services.length} services, ${replicas} replicas (${options.fleet.mode}), ${gateways.length} gateways`;
  try {
    const fleet = await progress.run(title, async () => {
      // Gateways need only NATS: they start while the services do.
      const gatewaysReady = Promise.all(gateways.map((gateway) => gateway.start()));
      gatewaysReady.catch(() => {});
      const fleet = await startFleet({
        manifest,
        servers,
        credentials: users.service,
        ...(clientTls ? { tls: clientTls } : {}),
        mode: options.fleet.mode,
        ...(options.signal ? { signal: options.signal } : {}),
        log: (line) => progress.detail(line),
      });
      started.push(fleet);
      await Promise.all([fleet.waitReady(30_000), gatewaysReady]);
      return fleet;
    });
    return { fleet, gateways };
  } catch (error) {
    await Promise.all(gateways.map((gateway) => gateway.kill()));
    await Promise.all(started.map((fleet) => fleet.stop()));
    throw error;
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<StartedLocalStack> {
  const { progress } = options;
  const manifest = options.fleet ? fitReplicas(await loadManifest(options.fleet.manifest), options.nodes) : undefined;
  const users = manifest ? newUsers(options.newSecret ?? randomSecret) : undefined;
  const builder = new LocalCluster()
    .withNodes(options.nodes)
    .withMaxPayload(MAX_PAYLOAD)
    .withNetwork(options.network ?? "none")
    .withTls(options.tls ?? false)
    .withSyncAlways(options.syncAlways ?? false)
    .withDiskFaults(options.diskFaults ?? false)
    .withConfig(manifest && users ? authorization(users, manifest) : {})
    .withProgress((message) => progress.detail(message));
  if (options.natsServer) builder.withBinary(options.natsServer);
  const cluster = await progress.run(
    `${options.nodes}-node NATS cluster`,
    () => builder.start(options.signal),
    (started) => `formed, meta leader ${started.formation?.metaLeader}`,
  );
  let parts: { fleet: StartedFleet; gateways: GatewayProcess[] } | undefined;
  try {
    if (options.fleet && manifest && users)
      parts = await startFleetAndGateways({ ...options, fleet: options.fleet }, cluster, manifest, users);
    const { control, targetFile } = await publishStack(
      `local stack ${cluster.id}`,
      cluster,
      { services: parts?.fleet.replicas ?? [], gateways: parts?.gateways ?? [] },
      { users, systemUser: systemUserOf(cluster), manifest: options.fleet ? options.fleet.manifest : undefined },
    );
    return new StartedLocalStack({ cluster, targetFile, control, fleet: parts?.fleet, gateways: parts?.gateways, admin: users?.admin });
  } catch (error) {
    await Promise.all((parts?.gateways ?? []).map((gateway) => gateway.kill()));
    await parts?.fleet.stop();
    await cluster.stop();
    throw error;
  }
}

export { DEFAULT_MANIFEST };
