import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { GauntletError } from "../../../lib/errors/index.ts";
import { freePorts } from "../../net/free-port.ts";
import { type ClusterAssessment, waitForClusterFormed } from "../../probes/index.ts";
import { crashGuard } from "../../process/index.ts";
import type { RunCertificates } from "../../tls/index.ts";
import type { StartedStack } from "../stack.ts";
import { LocalNode, NodeError } from "./local-node.ts";
import { type NodePorts, natsServerConfig } from "./nats-server-config.ts";
import { LocalNetwork } from "./network/index.ts";

const DEFAULT_MAX_PAYLOAD = 4 * 1024 * 1024;

export class LocalClusterError extends GauntletError {
  override name = "LocalClusterError";

  static noBinary(): LocalClusterError {
    return new LocalClusterError(
      "no nats-server binary: run through the bootstrap (`npx gauntlet …`, `npm test`), or set GAUNTLET_NATS_SERVER / NATS_SERVER_BIN",
    );
  }
}

export type ProgressListener = (message: string) => void;

/** Builds an N-node nats-server cluster on free loopback ports; `start()` returns the running handle. */
export class LocalCluster {
  #nodes = 5;
  #maxPayload = DEFAULT_MAX_PAYLOAD;
  #extra: Record<string, unknown> = {};
  #binary = process.env.GAUNTLET_NATS_SERVER || process.env.NATS_SERVER_BIN || "";
  #timeoutMs = 30_000;
  #baseDir = tmpdir();
  #onProgress: ProgressListener = () => {};
  #networkFaults = false;
  #tls = false;
  #hosts: readonly string[] | undefined;
  #fixedPorts: Omit<NodePorts, "host"> | undefined;

  withNodes(count: number): this {
    if (!Number.isInteger(count) || count < 1) throw new LocalClusterError(`--nodes must be a whole number ≥ 1, got ${count}`);
    this.#nodes = count;
    return this;
  }

  withMaxPayload(bytes: number): this {
    this.#maxPayload = bytes;
    return this;
  }

  /** Extra nats-server configuration merged into every node (authorization, accounts, limits…). */
  withConfig(extra: Record<string, unknown>): this {
    this.#extra = { ...this.#extra, ...extra };
    return this;
  }

  withBinary(path: string): this {
    this.#binary = path;
    return this;
  }

  withStartupTimeout(ms: number): this {
    this.#timeoutMs = ms;
    return this;
  }

  withBaseDir(dir: string): this {
    this.#baseDir = dir;
    return this;
  }

  /** Routes go through per-link proxies so `network.partition()` can cut them (see `LocalNetwork`). */
  withNetworkFaults(enabled = true): this {
    this.#networkFaults = enabled;
    return this;
  }

  /**
   * TLS on client connections and routes with a CA and certificates made for this run in its run
   * dir (`started.tls`); clients must present a certificate that CA signed.
   */
  withTls(enabled = true): this {
    this.#tls = enabled;
    return this;
  }

  /**
   * One loopback address per node (127.x.y.z), all nodes on the same ports there, as on
   * separate machines: the AWS twin runs each EC2 instance's node on its private IP.
   */
  withHosts(hosts: readonly string[], ports: Omit<NodePorts, "host">): this {
    this.#hosts = hosts;
    this.#fixedPorts = ports;
    this.#nodes = hosts.length;
    return this;
  }

  withProgress(listener: ProgressListener): this {
    this.#onProgress = listener;
    return this;
  }

  async start(signal?: AbortSignal): Promise<StartedLocalCluster> {
    if (!this.#binary) throw LocalClusterError.noBinary();
    try {
      return await this.#startOnce(signal);
    } catch (error) {
      if (!(error instanceof NodeError && NodeError.addressInUse(error))) throw error;
      this.#onProgress("a port was taken meanwhile; retrying on new ports");
      return this.#startOnce(signal);
    }
  }

  async #startOnce(signal?: AbortSignal): Promise<StartedLocalCluster> {
    const id = randomBytes(3).toString("hex");
    const dir = mkdtempSync(join(this.#baseDir, `gauntlet-${id}-`));
    crashGuard.watchDir(dir);
    const tls = this.#tls ? await this.#certificates(join(dir, "tls")) : undefined;
    const ports = await this.#allocatePorts();
    const names = ports.map((_, index) => `nats-${index + 1}`);
    const network =
      this.#networkFaults && ports.length > 1
        ? await LocalNetwork.create(ports.map((nodePorts, index) => ({ name: names[index] as string, clusterPort: nodePorts.cluster })))
        : undefined;
    const deadEndPort = network ? (await freePorts(1))[0] : undefined;
    const nodes = ports.map((nodePorts, index) => {
      const name = names[index] as string;
      const nodeDir = join(dir, name);
      mkdirSync(nodeDir, { recursive: true });
      const config = natsServerConfig({
        name,
        clusterName: `gauntlet-${id}`,
        ports: nodePorts,
        peers: ports,
        storeDir: join(nodeDir, "jetstream"),
        maxPayload: this.#maxPayload,
        extra: this.#extra,
        ...(tls ? { tls: { ca: tls.ca, ...tls.server } } : {}),
        ...(network && deadEndPort !== undefined ? { proxiedRoutes: { urls: network.routesFrom(name), deadEndPort } } : {}),
      });
      return new LocalNode({ binary: this.#binary, name, dir: nodeDir, ports: nodePorts, config, tls: tls !== undefined });
    });
    const cluster = new StartedLocalCluster(id, dir, nodes, network, tls);
    try {
      this.#onProgress(`starting ${nodes.length} nats-server node(s)`);
      for (const node of nodes) node.spawn();
      await Promise.all(nodes.map((node) => node.ready(this.#timeoutMs)));
      this.#onProgress("waiting for routes and a JetStream meta leader");
      cluster.formation = await waitForClusterFormed(
        nodes.map((node) => node.monitoringUrl),
        {
          timeoutMs: this.#timeoutMs,
          intervalMs: 20,
          ...(signal ? { signal } : {}),
          onProgress: (assessment) => this.#onProgress(progressLine(assessment, nodes.length)),
        },
      );
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  async #certificates(dir: string): Promise<RunCertificates> {
    this.#onProgress("making a CA and certificates for this run");
    const { createRunCertificates } = await import("../../tls/index.ts");
    return createRunCertificates(dir, `gauntlet ${basename(dirname(dir))}`);
  }

  async #allocatePorts(): Promise<NodePorts[]> {
    const hosts = this.#hosts;
    const fixed = this.#fixedPorts;
    if (hosts && fixed) return hosts.map((host) => ({ host, ...fixed }));
    const ports = await freePorts(this.#nodes * 3);
    return Array.from({ length: this.#nodes }, (_, i) => ({
      client: ports[i * 3] as number,
      cluster: ports[i * 3 + 1] as number,
      monitoring: ports[i * 3 + 2] as number,
    }));
  }
}

function progressLine(assessment: ClusterAssessment, expected: number): string {
  const largest = assessment.islands[0]?.length ?? 0;
  return `routes: largest group ${largest}/${expected}; meta leader: ${assessment.metaLeader ?? "electing"}`;
}

export class StartedLocalCluster implements StartedStack {
  readonly id: string;
  readonly dir: string;
  readonly nodes: readonly LocalNode[];
  /** Present when built `withNetworkFaults()`: partitions between nodes. */
  readonly network: LocalNetwork | undefined;
  /** Present when built `withTls()`: the run's CA and the certificates clients use. */
  readonly tls: RunCertificates | undefined;
  formation: ClusterAssessment | undefined;
  #stopped: Promise<void> | undefined;

  constructor(id: string, dir: string, nodes: readonly LocalNode[], network?: LocalNetwork, tls?: RunCertificates) {
    this.id = id;
    this.dir = dir;
    this.nodes = nodes;
    this.network = network;
    this.tls = tls;
  }

  get clientUrls(): string[] {
    return this.nodes.map((node) => node.clientUrl);
  }

  get monitoringUrls(): string[] {
    return this.nodes.map((node) => node.monitoringUrl);
  }

  /** Stops every node, then removes the run dir; safe to call more than once. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await Promise.all(this.nodes.map((node) => node.stop()));
      await this.network?.close();
      rmSync(this.dir, { recursive: true, force: true });
      crashGuard.forgetDir(this.dir);
    })();
    return this.#stopped;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
