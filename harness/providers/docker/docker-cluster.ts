import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { Wait } from "testcontainers";
import { GauntletError } from "../../../lib/errors/index.ts";
import type { NatsAccess } from "../../../lib/nats-options/index.ts";
import { PINNED } from "../../bootstrap/bootstrap.mjs";
import { ensureNatsServer } from "../../bootstrap/nats-versions.ts";
import { freePorts } from "../../net/free-port.ts";
import { type ClusterAssessment, formationProgressLine, waitForClusterFormed } from "../../probes/index.ts";
import { crashGuard } from "../../process/index.ts";
import type { RunCertificates } from "../../tls/index.ts";
import { natsServerConfig } from "../local/nats-server-config.ts";
import type { StartedStack } from "../stack.ts";
import { ConfigBarrier } from "./config-barrier.ts";
import { inContainer, tlsMount } from "./container-tls.ts";
import { requireDockerEngine } from "./docker-engine.ts";
import { natsServerImage } from "./docker-images.ts";
import { ContainerNetwork, containerPartitionsUnavailable, createStackNetwork, type StackNetwork } from "./docker-network.ts";
import { DockerNode } from "./docker-node.ts";
import { GauntletContainer } from "./gauntlet-container.ts";
import { removeStackResources } from "./stack-resources.ts";

const DEFAULT_MAX_PAYLOAD = 4 * 1024 * 1024;
const PORTS = { client: 4222, cluster: 6222, monitoring: 8222 };
const CONFIG_FILE = "/etc/nats/nats-server.json";

export class DockerClusterError extends GauntletError {
  override name = "DockerClusterError";
}

export type ProgressListener = (message: string) => void;

/** Builds an N-node nats-server cluster of containers on a network of its own; `start()` returns the running handle. */
export class DockerCluster {
  #nodes = 5;
  #maxPayload = DEFAULT_MAX_PAYLOAD;
  #extra: Record<string, unknown> = {};
  #syncAlways = false;
  #tls = false;
  #image: string | undefined;
  #natsVersion = PINNED.natsServer;
  #binary: string | undefined;
  #timeoutMs = 60_000;
  #baseDir = tmpdir();
  #onProgress: ProgressListener = () => {};

  withNodes(count: number): this {
    if (!Number.isInteger(count) || count < 1 || count > 250)
      throw new DockerClusterError(`--nodes must be a whole number from 1 to 250, got ${count}`);
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

  withSyncAlways(enabled = true): this {
    this.#syncAlways = enabled;
    return this;
  }

  /**
   * TLS on client connections and routes with a CA and certificates made for this run (`started.tls`):
   * the server certificate names 127.0.0.1 and localhost (the published ports) and every node's
   * address on the stack's network (routes, and clients in containers); clients must present a
   * certificate that CA signed. The containers read them from a read-only mount.
   */
  withTls(enabled = true): this {
    this.#tls = enabled;
    return this;
  }

  /** A nats-server image of the user's (its entrypoint nats-server, reading `-c FILE`) instead of one built here. */
  withImage(image: string): this {
    this.#image = image;
    return this;
  }

  /** Builds the image from this static nats-server binary (default: the pinned version, built with Go once). */
  withNatsServer(binary: string, version: string): this {
    this.#binary = binary;
    this.#natsVersion = version;
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

  withProgress(listener: ProgressListener): this {
    this.#onProgress = listener;
    return this;
  }

  async #natsImage(): Promise<string> {
    if (this.#image) return this.#image;
    const binary = this.#binary ?? (await ensureNatsServer(this.#natsVersion));
    return natsServerImage(binary, this.#natsVersion);
  }

  async start(signal?: AbortSignal): Promise<StartedDockerCluster> {
    await requireDockerEngine();
    const image = await this.#natsImage();
    const id = randomBytes(3).toString("hex");
    const dir = mkdtempSync(join(this.#baseDir, `gauntlet-${id}-`));
    crashGuard.watchDir(dir);
    crashGuard.watchDockerStack(id);
    let network: StackNetwork | undefined;
    const cluster = (
      nodes: DockerNode[],
      systemUser: { user: string; pass: string },
      tls: RunCertificates | undefined,
      faults?: ContainerNetwork,
    ) =>
      new StartedDockerCluster({
        id,
        dir,
        image,
        network,
        nodes,
        faults,
        tls,
        systemAccount: {
          servers: nodes.map((node) => node.clientUrl),
          ...systemUser,
          ...(tls ? { tls: { ca: tls.ca, ...tls.client } } : {}),
        },
      });
    try {
      network = await createStackNetwork(id);
      const names = Array.from({ length: this.#nodes }, (_, index) => `nats-${index + 1}`);
      const hostPorts = await freePorts(this.#nodes * 2);
      const peers = names.map((_, index) => ({ host: (network as StackNetwork).address(index + 1), ...PORTS }));
      const nodes = names.map(
        (name, index) =>
          new DockerNode({
            name,
            address: peers[index]?.host as string,
            clientPort: hostPorts[index * 2] as number,
            monitoringPort: hostPorts[index * 2 + 1] as number,
            logFile: join(dir, `${name}.log`),
            tls: this.#tls,
          }),
      );
      const tls = this.#tls
        ? await this.#certificates(
            join(dir, "tls"),
            nodes.map((node) => node.address),
          )
        : undefined;
      const serverTls = tls ? inContainer(tls) : undefined;
      const systemUser = { user: "system", pass: randomBytes(12).toString("base64url") };
      const unavailable = nodes.length > 1 ? containerPartitionsUnavailable() : "one node";
      this.#onProgress(
        unavailable ? `network: none (partitions ${unavailable})` : `network: docker (partitions by iptables in the containers)`,
      );
      const started = cluster(nodes, systemUser, tls, unavailable ? undefined : new ContainerNetwork(nodes));
      const barrier = ConfigBarrier.create(
        nodes.map((node, index) => ({
          name: node.name,
          path: join(dir, `${node.name}.json`),
          content: `${JSON.stringify(
            natsServerConfig({
              name: node.name,
              clusterName: `gauntlet-${id}`,
              ports: peers[index] as (typeof peers)[number],
              peers,
              storeDir: "/data/jetstream",
              maxPayload: this.#maxPayload,
              extra: this.#extra,
              syncAlways: this.#syncAlways,
              systemUser,
              ...(serverTls ? { tls: { ca: serverTls.ca, ...serverTls.server } } : {}),
            }),
            null,
            2,
          )}\n`,
        })),
      );
      const abandon = new AbortController();
      try {
        this.#onProgress(`starting ${nodes.length} nats-server container(s) from ${image}`);
        const released = barrier.release({
          timeoutMs: this.#timeoutMs,
          signal: signal ? AbortSignal.any([signal, abandon.signal]) : abandon.signal,
        });
        await Promise.all([
          released,
          ...nodes.map(async (node) => {
            const container = await new GauntletContainer(image, id)
              .withName(`gauntlet-${id}-${node.name}`)
              .withAddress((network as StackNetwork).name, node.address, node.name)
              .withBindMounts([
                { source: join(dir, `${node.name}.json`), target: CONFIG_FILE, mode: "ro" },
                ...(tls ? [tlsMount(tls)] : []),
              ])
              .withCommand(["-c", CONFIG_FILE])
              .withLoopbackPorts(
                { container: PORTS.client, host: this.#hostPort(node.clientUrl) },
                { container: PORTS.monitoring, host: this.#hostPort(node.monitoringUrl) },
              )
              .withLogConsumer(DockerNode.appendTo(node.logFile))
              .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
              .withStartupTimeout(this.#timeoutMs)
              .start();
            await node.attach(container);
          }),
        ]).finally(() => abandon.abort());
        this.#onProgress("waiting for routes and a JetStream meta leader");
        started.formation = await waitForClusterFormed(
          nodes.map((node) => node.monitoringUrl),
          {
            timeoutMs: this.#timeoutMs,
            intervalMs: 20,
            ...(signal ? { signal } : {}),
            onProgress: (assessment) => this.#onProgress(formationProgressLine(assessment, nodes.length)),
          },
        );
        return started;
      } catch (error) {
        await started.stop();
        throw error;
      }
    } catch (error) {
      await removeStackResources(id);
      rmSync(dir, { recursive: true, force: true });
      crashGuard.forgetDockerStack(id);
      crashGuard.forgetDir(dir);
      throw error;
    }
  }

  /** The run's CA and certificates (loaded only for a TLS stack). */
  async #certificates(dir: string, addresses: readonly string[]): Promise<RunCertificates> {
    this.#onProgress("making a CA and certificates for this run");
    const { createRunCertificates } = await import("../../tls/index.ts");
    return createRunCertificates(dir, `gauntlet ${basename(dirname(dir))}`, addresses);
  }

  #hostPort(url: string): number {
    return Number(new URL(url).port);
  }
}

export class StartedDockerCluster implements StartedStack {
  readonly id: string;
  readonly dir: string;
  readonly image: string;
  readonly nodes: readonly DockerNode[];
  /** None: Docker nodes are not replaced (replace-node is not offered). */
  readonly replacedNodes: readonly DockerNode[] = [];
  /** The stack's Docker network (services and gateways join it). */
  readonly dockerNetwork: StackNetwork | undefined;
  /** Partitions (as root with nsenter and iptables): present when they can be cut. */
  readonly network: ContainerNetwork | undefined;
  /** Present when built `withTls()`: the run's CA and the certificates clients use (paths on this machine). */
  readonly tls: RunCertificates | undefined;
  /** A user of the NATS system account (meta-leader step-down, peer-remove answer only to it). */
  readonly systemAccount: NatsAccess & { readonly user: string; readonly pass: string };
  formation: ClusterAssessment | undefined;
  #stopped: Promise<void> | undefined;

  constructor(parts: {
    id: string;
    dir: string;
    image: string;
    network: StackNetwork | undefined;
    nodes: DockerNode[];
    faults: ContainerNetwork | undefined;
    tls: RunCertificates | undefined;
    systemAccount: NatsAccess & { readonly user: string; readonly pass: string };
  }) {
    this.id = parts.id;
    this.dir = parts.dir;
    this.image = parts.image;
    this.dockerNetwork = parts.network;
    this.nodes = parts.nodes;
    this.network = parts.faults;
    this.tls = parts.tls;
    this.systemAccount = parts.systemAccount;
  }

  get networkKind(): "docker" | undefined {
    return this.network ? "docker" : undefined;
  }

  get clientUrls(): string[] {
    return this.nodes.map((node) => node.clientUrl);
  }

  /** How containers on the stack's network reach the nodes. */
  get internalClientUrls(): string[] {
    return this.nodes.map((node) => `${this.tls ? "tls" : "nats"}://${node.address}:${PORTS.client}`);
  }

  get monitoringUrls(): string[] {
    return this.nodes.map((node) => node.monitoringUrl);
  }

  /** Removes every container and the network of this stack (by its label), then the run dir; safe to call more than once. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await removeStackResources(this.id);
      rmSync(this.dir, { recursive: true, force: true });
      crashGuard.forgetDockerStack(this.id);
      crashGuard.forgetDir(this.dir);
    })();
    return this.#stopped;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}
