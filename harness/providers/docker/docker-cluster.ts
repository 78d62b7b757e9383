import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
import { ClusterBuilder } from "../cluster-builder.ts";
import { mountStoreDisks, type TmpfsDisk } from "../local/index.ts";
import { natsServerConfig } from "../local/nats-server-config.ts";
import { LocalNetwork } from "../local/network/index.ts";
import type { NodeReplacing, StartedStack } from "../stack.ts";
import { ConfigBarrier } from "./config-barrier.ts";
import { inContainer, tlsMount } from "./container-tls.ts";
import { requireDockerEngine } from "./docker-engine.ts";
import { natsServerImage } from "./docker-images.ts";
import {
  CONTAINER_PORTS,
  ContainerNetwork,
  containerPartitionsUnavailable,
  createStackNetwork,
  type StackNetwork,
} from "./docker-network.ts";
import { DockerNode } from "./docker-node.ts";
import { GauntletContainer } from "./gauntlet-container.ts";
import { removeStackResources } from "./stack-resources.ts";

const CONFIG_FILE = "/etc/nats/nats-server.json";
const STORE_DIR = "/data/jetstream";
/** A port nothing listens on in a node's container: the route address it advertises behind route proxies. */
const DEAD_END_PORT = 6223;
/** The stack network's gateway: this machine, as the containers reach it. */
const GATEWAY_HOST = 254;

export class DockerClusterError extends GauntletError {
  override name = "DockerClusterError";
}

/**
 * Builds an N-node nats-server cluster of containers on a network of its own; `start()` returns the
 * running handle. With TLS the server certificate also names every node's address on the stack's
 * network (routes, and clients in containers), and the containers read it from a read-only mount.
 * With disk faults each node's store tmpfs is mounted on this machine and bind-mounted into its
 * container, so the store survives the container's restarts (Docker's own `--tmpfs` is emptied
 * whenever a container stops).
 */
export class DockerCluster extends ClusterBuilder {
  #image: string | undefined;
  #natsVersion = PINNED.natsServer;
  #binary: string | undefined;
  #routeProxies = false;

  constructor() {
    super(60_000);
  }

  withNodes(count: number): this {
    if (!Number.isInteger(count) || count < 1 || count > 250)
      throw new DockerClusterError(`--nodes must be a whole number from 1 to 250, got ${count}`);
    this.nodes = count;
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

  /**
   * Every route (and every client link from this machine) through one of Gauntlet's TCP proxies,
   * which can delay, model loss and cut: the routes' proxies listen on the stack network's gateway
   * address, so containers reach them; partitions are the proxies' then, not iptables. The fleet and
   * gateways in their containers still reach the nodes directly. Not with TLS (the proxies' address
   * is in no certificate).
   */
  withRouteProxies(enabled = true): this {
    this.#routeProxies = enabled;
    return this;
  }

  async #natsImage(): Promise<string> {
    if (this.#image) return this.#image;
    const binary = this.#binary ?? (await ensureNatsServer(this.#natsVersion));
    return natsServerImage(binary, this.#natsVersion);
  }

  async start(signal?: AbortSignal): Promise<StartedDockerCluster> {
    if (this.tls && this.#routeProxies)
      throw new DockerClusterError("--tls with --network proxy: the route proxies' address is in no certificate; choose one");
    await requireDockerEngine();
    const image = await this.#natsImage();
    const id = randomBytes(3).toString("hex");
    const dir = mkdtempSync(join(this.baseDir, `gauntlet-${id}-`));
    crashGuard.watchDir(dir);
    crashGuard.watchDockerStack(id);
    let network: StackNetwork | undefined;
    let disks: TmpfsDisk[] | undefined;
    let proxies: LocalNetwork | undefined;
    const cluster = (
      nodes: DockerNode[],
      systemUser: { user: string; pass: string },
      tls: RunCertificates | undefined,
      launch: (node: DockerNode) => Promise<void>,
      faults: ContainerNetwork | LocalNetwork | undefined,
    ) =>
      new StartedDockerCluster({
        id,
        dir,
        image,
        network,
        nodes,
        launch,
        faults,
        disks: disks ?? [],
        tls,
        systemAccount: {
          servers: nodes.map((node) => node.clientUrl),
          ...systemUser,
          ...(tls ? { tls: { ca: tls.ca, ...tls.client } } : {}),
        },
      });
    try {
      network = await createStackNetwork(id);
      const names = Array.from({ length: this.nodes }, (_, index) => `nats-${index + 1}`);
      if (this.diskBytes !== undefined)
        disks = await mountStoreDisks(
          names.map((name) => join(dir, "stores", name)),
          this.diskBytes,
          this.onProgress,
        );
      const hostPorts = await freePorts(this.nodes * 2);
      const peers = names.map((_, index) => ({ host: (network as StackNetwork).address(index + 1), ...CONTAINER_PORTS }));
      if (this.#routeProxies)
        proxies = await LocalNetwork.create(
          peers.map((peer, index) => ({
            name: names[index] as string,
            host: peer.host,
            clusterPort: peer.cluster,
            clientPort: hostPorts[index * 2] as number,
            clientHost: "127.0.0.1",
          })),
          { routeHost: network.address(GATEWAY_HOST) },
        );
      const nodes = names.map(
        (name, index) =>
          new DockerNode({
            name,
            address: peers[index]?.host as string,
            clientPort: hostPorts[index * 2] as number,
            monitoringPort: hostPorts[index * 2 + 1] as number,
            logFile: join(dir, `${name}.log`),
            tls: this.tls,
            disk: disks?.[index],
            proxiedClientPort: proxies?.clientPort(name),
          }),
      );
      const tls = this.tls
        ? await this.#certificates(
            join(dir, "tls"),
            nodes.map((node) => node.address),
          )
        : undefined;
      const serverTls = tls ? inContainer(tls) : undefined;
      const systemUser = { user: "system", pass: randomBytes(12).toString("base64url") };
      const unavailable = nodes.length > 1 ? containerPartitionsUnavailable() : "one node";
      this.onProgress(
        proxies
          ? "network: proxy (every route, and client links from this machine, through a TCP proxy here)"
          : unavailable
            ? `network: none (partitions ${unavailable})`
            : `network: docker (partitions by iptables in the containers)`,
      );
      const configFile = (node: DockerNode) => join(dir, `${node.serverName}.json`);
      const configOf = (node: DockerNode) =>
        `${JSON.stringify(
          natsServerConfig({
            name: node.serverName,
            clusterName: `gauntlet-${id}`,
            ports: peers.find((peer) => peer.host === node.address) as (typeof peers)[number],
            peers,
            storeDir: STORE_DIR,
            maxPayload: this.maxPayload,
            extra: this.extra,
            syncAlways: this.syncAlways,
            systemUser,
            ...(serverTls ? { tls: { ca: serverTls.ca, ...serverTls.server } } : {}),
            ...(proxies ? { proxiedRoutes: { urls: proxies.routesFrom(node.name), deadEndPort: DEAD_END_PORT } } : {}),
          }),
          null,
          2,
        )}\n`;
      const startContainer = async (node: DockerNode): Promise<void> => {
        const container = await new GauntletContainer(image, id)
          .withName(`gauntlet-${id}-${node.serverName}`)
          .withAddress((network as StackNetwork).name, node.address, node.name)
          .withBindMounts([
            { source: configFile(node), target: CONFIG_FILE, mode: "ro" },
            ...(tls ? [tlsMount(tls)] : []),
            ...(node.disk ? [{ source: node.disk.dir, target: STORE_DIR, mode: "rw" as const }] : []),
          ])
          .withCommand(["-c", CONFIG_FILE])
          .withLoopbackPorts(
            { container: CONTAINER_PORTS.client, host: node.publishedClientPort },
            { container: CONTAINER_PORTS.monitoring, host: this.#hostPort(node.monitoringUrl) },
          )
          .withLogConsumer(DockerNode.appendTo(node.logFile))
          .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
          .withStartupTimeout(this.timeoutMs)
          .start();
        await node.attach(container);
      };
      // A replacement starts alone: its config is a plain file (it holds the stack's passwords: its owner's only).
      const launchReplacement = async (node: DockerNode): Promise<void> => {
        writeFileSync(configFile(node), configOf(node), { mode: 0o600 });
        await startContainer(node);
      };
      const started = cluster(
        nodes,
        systemUser,
        tls,
        launchReplacement,
        proxies ?? (unavailable ? undefined : new ContainerNetwork(() => started.nodes)),
      );
      const barrier = ConfigBarrier.create(nodes.map((node) => ({ name: node.name, path: configFile(node), content: configOf(node) })));
      const abandon = new AbortController();
      try {
        this.onProgress(`starting ${nodes.length} nats-server container(s) from ${image}`);
        const released = barrier.release({
          timeoutMs: this.timeoutMs,
          signal: signal ? AbortSignal.any([signal, abandon.signal]) : abandon.signal,
        });
        await Promise.all([released, ...nodes.map(startContainer)]).finally(() => abandon.abort());
        this.onProgress("waiting for routes and a JetStream meta leader");
        started.formation = await waitForClusterFormed(
          nodes.map((node) => node.monitoringUrl),
          {
            timeoutMs: this.timeoutMs,
            intervalMs: 20,
            ...(signal ? { signal } : {}),
            onProgress: (assessment) => this.onProgress(formationProgressLine(assessment, nodes.length)),
          },
        );
        return started;
      } catch (error) {
        await started.stop();
        throw error;
      }
    } catch (error) {
      await removeStackResources(id);
      await proxies?.close();
      await Promise.all((disks ?? []).map((disk) => disk.unmount()));
      rmSync(dir, { recursive: true, force: true });
      crashGuard.forgetDockerStack(id);
      crashGuard.forgetDir(dir);
      throw error;
    }
  }

  /** The run's CA and certificates (loaded only for a TLS stack). */
  async #certificates(dir: string, addresses: readonly string[]): Promise<RunCertificates> {
    this.onProgress("making a CA and certificates for this run");
    const { createRunCertificates } = await import("../../tls/index.ts");
    return createRunCertificates(dir, `gauntlet ${basename(dirname(dir))}`, addresses);
  }

  #hostPort(url: string): number {
    return Number(new URL(url).port);
  }
}

export class StartedDockerCluster implements StartedStack, NodeReplacing {
  readonly id: string;
  readonly dir: string;
  readonly image: string;
  /** The stack's Docker network (services and gateways join it). */
  readonly dockerNetwork: StackNetwork | undefined;
  /** Partitions and degraded links: iptables in the containers (as root), or the route proxies; absent when neither can be had. */
  readonly network: ContainerNetwork | LocalNetwork | undefined;
  /** Present when built `withTls()`: the run's CA and the certificates clients use (paths on this machine). */
  readonly tls: RunCertificates | undefined;
  /** A user of the NATS system account (meta-leader step-down, peer-remove answer only to it). */
  readonly systemAccount: NatsAccess & { readonly user: string; readonly pass: string };
  formation: ClusterAssessment | undefined;
  readonly #disks: readonly TmpfsDisk[];
  readonly #nodes: DockerNode[];
  readonly #replaced: DockerNode[] = [];
  readonly #launch: (node: DockerNode) => Promise<void>;
  #replacements = 0;
  #stopped: Promise<void> | undefined;

  constructor(parts: {
    id: string;
    dir: string;
    image: string;
    network: StackNetwork | undefined;
    nodes: DockerNode[];
    /** Creates and starts a replacement node's container (its server name, address, ports) until it is ready. */
    launch: (node: DockerNode) => Promise<void>;
    faults: ContainerNetwork | LocalNetwork | undefined;
    disks: readonly TmpfsDisk[];
    tls: RunCertificates | undefined;
    systemAccount: NatsAccess & { readonly user: string; readonly pass: string };
  }) {
    this.id = parts.id;
    this.dir = parts.dir;
    this.image = parts.image;
    this.dockerNetwork = parts.network;
    this.#nodes = [...parts.nodes];
    this.#launch = parts.launch;
    this.network = parts.faults;
    this.tls = parts.tls;
    this.systemAccount = parts.systemAccount;
    this.#disks = parts.disks;
  }

  /** The nodes in their slots: a replaced node's replacement stands where it stood. */
  get nodes(): readonly DockerNode[] {
    return this.#nodes;
  }

  /** The nodes replacements took the place of (their containers removed; their logs stay in the run dir). */
  get replacedNodes(): readonly DockerNode[] {
    return this.#replaced;
  }

  /**
   * Stops node `name`'s container (a graceful shutdown, as when an instance terminates) and removes
   * it with its store, then starts a new container in its slot: a new server name (`<slot>-r<N>`),
   * an empty store in the container (no disk of its own), and the slot's address and host ports, so
   * the other nodes' routes and every URL stay valid. The old server remains a meta-group peer until removed.
   */
  async replaceNode(name: string): Promise<DockerNode> {
    const index = this.#nodes.findIndex((node) => node.name === name);
    const old = this.#nodes[index];
    if (!old) throw new DockerClusterError(`no node ${name} to replace (nodes: ${this.#nodes.map((node) => node.name).join(", ")})`);
    if (this.#stopped) throw new DockerClusterError(`cluster ${this.id} is stopped: cannot replace ${name}`);
    await old.terminate();
    await old.disk?.unmount();
    this.#replacements += 1;
    const serverName = `${old.name}-r${this.#replacements}`;
    const replacement = old.replacement(serverName, join(this.dir, `${serverName}.log`));
    this.#nodes[index] = replacement;
    this.#replaced.push(old);
    await this.#launch(replacement);
    return replacement;
  }

  get networkKind(): "docker" | "proxy" | undefined {
    return this.network instanceof LocalNetwork ? "proxy" : this.network ? "docker" : undefined;
  }

  get clientUrls(): string[] {
    return this.nodes.map((node) => node.clientUrl);
  }

  /** How containers on the stack's network reach the nodes. */
  get internalClientUrls(): string[] {
    return this.nodes.map((node) => `${this.tls ? "tls" : "nats"}://${node.address}:${CONTAINER_PORTS.client}`);
  }

  get monitoringUrls(): string[] {
    return this.nodes.map((node) => node.monitoringUrl);
  }

  /** Removes every container and the network of this stack (by its label), the store disks, then the run dir; safe to call more than once. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      await removeStackResources(this.id);
      if (this.network instanceof LocalNetwork) await this.network.close();
      await Promise.all(this.#disks.map((disk) => disk.unmount()));
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
