import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { stringify } from "yaml";
import { type NatsAccess, natsConnectionOptions } from "../../../lib/nats-options/index.ts";
import { loadManifest, type Manifest } from "../../../services/manifest/index.ts";
import { provisionJetStream, waitForInstances } from "../../../services/runtime/index.ts";
import { AwsSection } from "../../config/index.ts";
import { freePorts } from "../../net/free-port.ts";
import { crashGuard } from "../../process/index.ts";
import { DEFAULT_MANIFEST, fitReplicas } from "../../stack/index.ts";
import { LocalCluster, registerStack, type StartedLocalCluster } from "../local/index.ts";
import { AwsClients } from "./aws-clients.ts";
import { AwsError } from "./aws-error.ts";
import { discoverSystem } from "./discovery.ts";
import { buildEmulatedWorld, WORLD_NAMES } from "./emulated-world.ts";
import { MotoServer } from "./moto-server.ts";
import { type LoadBalancerEvent, TwinLoadBalancer } from "./twin-load-balancer.ts";
import { type TwinEvent, TwinReconciler } from "./twin-reconciler.ts";
import { type TaskEvent, TwinTasks } from "./twin-tasks.ts";

export const TWIN_REGION = "eu-west-1";
export const TWIN_ALLOW_TAGS = { "gauntlet:chaos": "allowed" } as const;
export const TWIN_STOP_ALARM = "twin-stop";
const TASKS_PER_SERVICE = 2;

const twinId = (cluster: StartedLocalCluster) => `twin-${cluster.id}`;

export interface AwsTwinOptions {
  readonly nodes?: number;
  /** The services: each is an ECS service of 2 tasks, each task a local replica (default: the reference fleet). */
  readonly manifest?: string;
  /** Only these of the manifest's services (default: all); `[]` for the cluster alone. */
  readonly services?: readonly string[];
  /**
   * `proxy`: routes through a proxy per link, so the SSM partition scripts can cut them; `none`
   * (default): direct routes (proxies have left a replica behind after a fault: DESIGN.md).
   */
  readonly network?: "proxy" | "none";
  /** One process per task's replica, or all co-hosted in the twin's process (default: cheap). */
  readonly fleetMode?: "process" | "cohosted";
  readonly onProgress?: (message: string) => void;
  /** What the reconciler does to the nodes, as it happens. */
  readonly onEvent?: (event: TwinEvent) => void;
  /** What the twin's ECS does to tasks and replicas, as it happens. */
  readonly onTaskEvent?: (event: TaskEvent) => void;
  /** What the twin's NLB does to connections, as it happens. */
  readonly onLoadBalancerEvent?: (event: LoadBalancerEvent) => void;
}

/**
 * The AWS twin: moto is the control plane (the production shape: ASG, NLB, ECS, alarms) and
 * local nats-server nodes are the data plane, each listening on its instance's loopback
 * private IP. A reconciler applies what the AWS calls did to the nodes, so Gauntlet's real
 * AWS code path runs end to end with real verdicts. `targetFile` describes it as an aws target.
 * It registers as a stack, so `gauntlet down` stops it, and the crash guard cleans up after it.
 */
export class StartedAwsTwin implements AsyncDisposable {
  readonly dir: string;
  readonly targetFile: string;
  readonly moto: MotoServer;
  readonly cluster: StartedLocalCluster;
  readonly reconciler: TwinReconciler;
  /** The ECS tasks' local replicas. */
  readonly tasks: TwinTasks;
  /** The NLB's listener: the ECS tasks' replicas connect through it. */
  readonly loadBalancer: TwinLoadBalancer;
  /** The NATS user every connection to the twin's nodes needs (its target file carries it). */
  readonly credentials: { readonly user: string; readonly pass: string };
  readonly #clients: AwsClients;
  #stopped: Promise<void> | undefined;

  constructor(parts: {
    dir: string;
    targetFile: string;
    moto: MotoServer;
    cluster: StartedLocalCluster;
    reconciler: TwinReconciler;
    tasks: TwinTasks;
    loadBalancer: TwinLoadBalancer;
    clients: AwsClients;
    credentials: { user: string; pass: string };
  }) {
    this.dir = parts.dir;
    this.targetFile = parts.targetFile;
    this.moto = parts.moto;
    this.cluster = parts.cluster;
    this.reconciler = parts.reconciler;
    this.tasks = parts.tasks;
    this.loadBalancer = parts.loadBalancer;
    this.credentials = parts.credentials;
    this.#clients = parts.clients;
  }

  /** Its id among running stacks (`gauntlet down --stack ID`). */
  get id(): string {
    return twinId(this.cluster);
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await this.reconciler.stop();
      await this.loadBalancer.stop();
      this.#clients.destroy();
      await Promise.allSettled([this.cluster.stop(), this.moto.stop()]);
      rmSync(this.dir, { recursive: true, force: true });
      crashGuard.forgetDir(this.dir);
    })();
    return this.#stopped;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

function selectServices(manifest: Manifest, only: readonly string[] | undefined): Manifest {
  if (only === undefined) return manifest;
  const unknown = only.filter((name) => !manifest.services.some((service) => service.name === name));
  if (unknown.length > 0) throw new AwsError(`${manifest.file}: no service named ${unknown.join(", ")}`);
  return { ...manifest, services: manifest.services.filter((service) => only.includes(service.name)) };
}

/** Streams and buckets exist before the replicas that use them start. */
async function provision(access: NatsAccess, manifest: Manifest): Promise<void> {
  const nc = await connect(natsConnectionOptions(access, { name: "gauntlet-twin-provision", profile: "defaults" }));
  try {
    await provisionJetStream(nc, manifest);
  } finally {
    await nc.close();
  }
}

/** Every ECS task's replica answers `$SRV.PING`. */
async function waitForTaskReplicas(access: NatsAccess, manifest: Manifest, tasksPerService: number): Promise<void> {
  const nc = await connect(natsConnectionOptions(access, { name: "gauntlet-twin-ready", profile: "defaults" }));
  try {
    await waitForInstances(nc, new Map(manifest.services.map((service) => [service.name, tasksPerService])), 60_000);
  } finally {
    await nc.close();
  }
}

export async function startAwsTwin(options: AwsTwinOptions = {}): Promise<StartedAwsTwin> {
  const progress = options.onProgress ?? (() => {});
  const manifestFile = options.manifest ?? DEFAULT_MANIFEST;
  const nodes = options.nodes ?? 5;
  const manifest = fitReplicas(selectServices(await loadManifest(manifestFile), options.services), nodes);
  const credentials = { user: "admin", pass: randomBytes(12).toString("hex") };
  const dir = mkdtempSync(join(tmpdir(), "gauntlet-aws-twin-"));
  crashGuard.watchDir(dir);
  progress("starting moto (control plane)");
  const moto = await MotoServer.start();
  const clients = new AwsClients({ region: TWIN_REGION, endpoint: moto.endpoint, execute: true });
  let cluster: StartedLocalCluster | undefined;
  let tasks: TwinTasks | undefined;
  let loadBalancer: TwinLoadBalancer | undefined;
  try {
    await moto.manualTaskTransitions();
    progress("building the production shape in moto: ASG, NLB, ECS, alarms");
    const world = await buildEmulatedWorld(clients, {
      region: TWIN_REGION,
      nodes,
      services: manifest.services.map((service) => service.name),
      tasksPerService: TASKS_PER_SERVICE,
      gatewayService: "gateway",
      tags: TWIN_ALLOW_TAGS,
      alarms: [TWIN_STOP_ALARM],
    });
    const [client, clusterPort, monitoring] = (await freePorts(3)) as [number, number, number];
    const section = AwsSection.parse({
      region: TWIN_REGION,
      endpoint: moto.endpoint,
      nats: { asg: WORLD_NAMES.asg, client_port: client, monitoring_port: monitoring },
      nlb: WORLD_NAMES.nlb,
      ecs: { cluster: WORLD_NAMES.cluster, gateway_service: "gateway" },
      safety: { allow_tags: TWIN_ALLOW_TAGS, stop_alarms: [TWIN_STOP_ALARM] },
    });
    const system = await discoverSystem(clients, section, "(twin)");
    const ips = system.instances.map((instance) => instance.privateIp as string);
    progress(`starting ${ips.length} nats-server nodes on the instances' IPs (data plane)`);
    cluster = await new LocalCluster()
      .withHosts(ips, { client, cluster: clusterPort, monitoring })
      .withConfig({ authorization: { users: [{ user: credentials.user, password: credentials.pass }] } })
      .withNetwork(options.network ?? "none")
      .withoutAdvertisedClientUrls()
      .withBaseDir(dir)
      .start();
    const nodeHandles = new Map(
      system.instances.map((instance, index) => [instance.id, cluster?.nodes[index] as StartedLocalCluster["nodes"][number]]),
    );
    const servers = cluster.clientUrls;
    const access = { servers, ...credentials };
    const started = cluster;
    progress(`the NLB's listener on loopback, forwarding to the registered targets`);
    loadBalancer = await new TwinLoadBalancer(clients, {
      targetGroupArn: world.targetGroupArn,
      addresses: new Map(
        system.instances.map((instance, index) => {
          const url = new URL(started.clientUrls[index] as string);
          return [instance.id, { host: url.hostname, port: Number(url.port) }];
        }),
      ),
      ...(options.onLoadBalancerEvent ? { onEvent: options.onLoadBalancerEvent } : {}),
    }).start();
    if (manifest.services.length > 0) {
      progress("JetStream: the manifest's streams and KV buckets");
      await provision(access, manifest);
    }
    tasks = new TwinTasks(clients, {
      cluster: WORLD_NAMES.cluster,
      manifest,
      // The services reach NATS as in production: through the NLB.
      launch: { servers: [loadBalancer.url], credentials, mode: options.fleetMode ?? "cohosted" },
      ...(options.onTaskEvent ? { onEvent: options.onTaskEvent } : {}),
    });
    const reconciler = new TwinReconciler(clients, nodeHandles, {
      tasks,
      membership: { asg: WORLD_NAMES.asg, replaceNode: (name, host) => started.replaceNode(name, { host }) },
      ...(cluster.proxies ? { network: cluster.proxies } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    });
    reconciler.start();
    if (manifest.services.length > 0) {
      progress(`${manifest.services.length} ECS services × ${TASKS_PER_SERVICE} tasks: a local replica per task`);
      await waitForTaskReplicas(access, manifest, TASKS_PER_SERVICE).catch(async (error: unknown) => {
        await reconciler.stop();
        await loadBalancer?.stop();
        throw error;
      });
    }
    const targetFile = join(dir, "twin.yaml");
    // Addresses come from discovery, credentials from the file: as a secured production target.
    // The system account's user too: the replace-node fault's peer-remove and meta step-downs need it.
    const { user: systemUser, pass: systemPass } = cluster.systemAccount;
    const document = {
      name: "aws-twin",
      nats: { ...credentials, system: { user: systemUser, pass: systemPass } },
      aws: section,
      ...(manifest.services.length > 0 ? { manifest: manifestFile } : {}),
    };
    writeFileSync(
      targetFile,
      `# The AWS twin: moto at ${moto.endpoint} (control plane), local nodes and replicas (data plane).\n${stringify(document)}`,
    );
    registerStack({ id: twinId(cluster), pid: process.pid, dir, targetFile, startedAt: new Date().toISOString() });
    return new StartedAwsTwin({ dir, targetFile, moto, cluster, reconciler, tasks, loadBalancer, clients, credentials });
  } catch (error) {
    await tasks?.stop();
    await loadBalancer?.stop();
    clients.destroy();
    await Promise.allSettled([cluster?.stop(), moto.stop()]);
    rmSync(dir, { recursive: true, force: true });
    crashGuard.forgetDir(dir);
    throw error;
  }
}
