import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { AwsSection } from "../../config/index.ts";
import { freePorts } from "../../net/free-port.ts";
import { crashGuard } from "../../process/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../local/index.ts";
import { AwsClients } from "./aws-clients.ts";
import { discoverSystem } from "./discovery.ts";
import { buildEmulatedWorld, WORLD_NAMES } from "./emulated-world.ts";
import { MotoServer } from "./moto-server.ts";
import { type TwinEvent, TwinReconciler } from "./twin-reconciler.ts";

export const TWIN_REGION = "eu-west-1";
export const TWIN_ALLOW_TAGS = { "gauntlet:chaos": "allowed" } as const;
export const TWIN_STOP_ALARM = "twin-stop";

export interface AwsTwinOptions {
  readonly nodes?: number;
  /** ECS services to describe in moto (each with 2 tasks) besides the gateway's. */
  readonly services?: readonly string[];
  readonly onProgress?: (message: string) => void;
  /** What the reconciler does to the nodes, as it happens. */
  readonly onEvent?: (event: TwinEvent) => void;
}

/**
 * The AWS twin: moto is the control plane (the production shape: ASG, NLB, ECS, alarms) and
 * local nats-server nodes are the data plane, each listening on its instance's loopback
 * private IP. A reconciler applies what the AWS calls did to the nodes, so Gauntlet's real
 * AWS code path runs end to end with real verdicts. `targetFile` describes it as an aws target.
 */
export class StartedAwsTwin implements AsyncDisposable {
  readonly dir: string;
  readonly targetFile: string;
  readonly moto: MotoServer;
  readonly cluster: StartedLocalCluster;
  readonly reconciler: TwinReconciler;
  readonly #clients: AwsClients;
  #stopped: Promise<void> | undefined;

  constructor(parts: {
    dir: string;
    targetFile: string;
    moto: MotoServer;
    cluster: StartedLocalCluster;
    reconciler: TwinReconciler;
    clients: AwsClients;
  }) {
    this.dir = parts.dir;
    this.targetFile = parts.targetFile;
    this.moto = parts.moto;
    this.cluster = parts.cluster;
    this.reconciler = parts.reconciler;
    this.#clients = parts.clients;
  }

  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await this.reconciler.stop();
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

export async function startAwsTwin(options: AwsTwinOptions = {}): Promise<StartedAwsTwin> {
  const progress = options.onProgress ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), "gauntlet-aws-twin-"));
  crashGuard.watchDir(dir);
  progress("starting moto (control plane)");
  const moto = await MotoServer.start();
  const clients = new AwsClients({ region: TWIN_REGION, endpoint: moto.endpoint, execute: true });
  let cluster: StartedLocalCluster | undefined;
  try {
    await moto.manualTaskTransitions();
    progress("building the production shape in moto: ASG, NLB, ECS, alarms");
    await buildEmulatedWorld(clients, {
      region: TWIN_REGION,
      nodes: options.nodes ?? 5,
      services: options.services ?? [],
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
    cluster = await new LocalCluster().withHosts(ips, { client, cluster: clusterPort, monitoring }).withBaseDir(dir).start();
    const nodes = new Map(
      system.instances.map((instance, index) => [instance.id, cluster?.nodes[index] as StartedLocalCluster["nodes"][number]]),
    );
    const reconciler = new TwinReconciler(clients, nodes, options.onEvent ? { onEvent: options.onEvent } : {});
    reconciler.start();
    const targetFile = join(dir, "twin.yaml");
    const document = { name: "aws-twin", aws: { ...section, ecs: section.ecs } };
    writeFileSync(
      targetFile,
      `# The AWS twin: moto at ${moto.endpoint} (control plane), local nodes (data plane).\n${stringify(document)}`,
    );
    return new StartedAwsTwin({ dir, targetFile, moto, cluster, reconciler, clients });
  } catch (error) {
    clients.destroy();
    await Promise.allSettled([cluster?.stop(), moto.stop()]);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
