import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { GauntletError } from "../../../lib/errors/index.ts";
import type { NatsAccess } from "../../../lib/nats-options/index.ts";
import { RetryError } from "../../../lib/retry/index.ts";
import { freePorts } from "../../net/free-port.ts";
import { type ClusterAssessment, formationProgressLine, waitForClusterFormed } from "../../probes/index.ts";
import { crashGuard } from "../../process/index.ts";
import type { RunCertificates } from "../../tls/index.ts";
import { ClusterBuilder } from "../cluster-builder.ts";
import type { NodeReplacing, StartedStack } from "../stack.ts";
import { LocalNode, NodeError } from "./local-node.ts";
import { logTail } from "./log-tail.ts";
import { type NodePorts, natsServerConfig } from "./nats-server-config.ts";
import { KERNEL_PORTS, KernelNetwork, kernelNetworkUnavailable, LocalNetwork } from "./network/index.ts";
import { mountStoreDisks, type TmpfsDisk } from "./tmpfs-disk.ts";

export class LocalClusterError extends GauntletError {
  override name = "LocalClusterError";

  /**
   * The cluster did not form in time: the reason, and the log tail of every node the last
   * assessment named as failing (every node when it named none).
   */
  static notFormed(cause: unknown, nodes: readonly LocalNode[], last: ClusterAssessment | undefined): LocalClusterError {
    const failing = (last?.checks ?? []).filter((check) => check.status === "fail").map((check) => check.detail);
    const named = nodes.filter((node) => failing.some((detail) => mentions(detail, node)));
    const logs = (named.length > 0 ? named : nodes).map((node) => logTail(node.logFile, NOT_FORMED_LOG_LINES)).join("");
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new LocalClusterError(`${reason}${logs}`, { cause, exitCode: 1 });
  }

  static noBinary(): LocalClusterError {
    return new LocalClusterError(
      "no nats-server binary: run through the bootstrap (`npx gauntlet …`, `npm test`), or set GAUNTLET_NATS_SERVER / NATS_SERVER_BIN",
    );
  }
}

const NOT_FORMED_LOG_LINES = 20;

/** A check's detail names a node by server name (`nats-1`, not inside `nats-10`) or, unreachable, by its monitoring URL. */
function mentions(detail: string, node: LocalNode): boolean {
  return new RegExp(`(^|[^\\w-])${node.name}(?![\\w-])`).test(detail) || detail.includes(node.monitoringUrl);
}

/**
 * How the nodes are linked: `none` (loopback, no partitions), `proxy` (routes through TCP proxies
 * on loopback, see `LocalNetwork`), `kernel` (a namespace per node, iptables partitions, see
 * `KernelNetwork`), or `auto`: kernel where it works (root, iproute2, iptables), else proxy.
 */
export type NetworkChoice = "none" | "proxy" | "kernel" | "auto";
export type NetworkKind = "proxy" | "kernel";

/** Builds an N-node nats-server cluster on free loopback ports; `start()` returns the running handle. */
export class LocalCluster extends ClusterBuilder {
  #binary = process.env.GAUNTLET_NATS_SERVER || process.env.NATS_SERVER_BIN || "";
  #network: NetworkChoice = "none";
  #hosts: readonly string[] | undefined;
  #fixedPorts: Omit<NodePorts, "host"> | undefined;
  #noAdvertise = false;

  constructor() {
    super(30_000);
  }

  withNodes(count: number): this {
    if (!Number.isInteger(count) || count < 1) throw new LocalClusterError(`--nodes must be a whole number ≥ 1, got ${count}`);
    this.nodes = count;
    return this;
  }

  withBinary(path: string): this {
    this.#binary = path;
    return this;
  }

  /** Routes go through per-link proxies so `network.partition()` can cut them (see `LocalNetwork`). */
  withNetworkFaults(enabled = true): this {
    this.#network = enabled ? "proxy" : "none";
    return this;
  }

  /** See `NetworkChoice`; `auto` says on the progress listener which network it took, and why not the kernel one. */
  withNetwork(choice: NetworkChoice): this {
    this.#network = choice;
    return this;
  }

  /**
   * One loopback address per node (127.x.y.z), all nodes on the same ports there, as on
   * separate machines: the AWS twin runs each EC2 instance's node on its private IP.
   */
  withHosts(hosts: readonly string[], ports: Omit<NodePorts, "host">): this {
    this.#hosts = hosts;
    this.#fixedPorts = ports;
    this.nodes = hosts.length;
    return this;
  }

  /** Clients learn no node addresses from the cluster (`no_advertise`), as a cluster behind a load balancer is set up. */
  withoutAdvertisedClientUrls(): this {
    this.#noAdvertise = true;
    return this;
  }

  async start(signal?: AbortSignal): Promise<StartedLocalCluster> {
    if (!this.#binary) throw LocalClusterError.noBinary();
    try {
      return await this.#startOnce(signal);
    } catch (error) {
      if (!(error instanceof NodeError && NodeError.addressInUse(error))) throw error;
      this.onProgress("a port was taken meanwhile; retrying on new ports");
      return this.#startOnce(signal);
    }
  }

  async #startOnce(signal?: AbortSignal): Promise<StartedLocalCluster> {
    const id = randomBytes(3).toString("hex");
    const dir = mkdtempSync(join(this.baseDir, `gauntlet-${id}-`));
    crashGuard.watchDir(dir);
    const names = Array.from({ length: this.nodes }, (_, index) => `nats-${index + 1}`);
    const kernel = await this.#kernelNetwork(id, names).catch((error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      crashGuard.forgetDir(dir);
      throw error;
    });
    const tls = this.tls
      ? await this.#certificates(join(dir, "tls"), kernel?.nodes.map((node) => node.address) ?? []).catch(async (error: unknown) => {
          await kernel?.close();
          throw error;
        })
      : undefined;
    const ports: NodePorts[] = kernel ? kernel.nodes.map((node) => ({ host: node.address, ...KERNEL_PORTS })) : await this.#allocatePorts();
    const network =
      !kernel && this.#network !== "none" && ports.length > 1
        ? await LocalNetwork.create(
            ports.map((nodePorts, index) => ({
              name: names[index] as string,
              clusterPort: nodePorts.cluster,
              host: nodePorts.host,
              clientPort: nodePorts.client,
            })),
          )
        : undefined;
    if (network) this.onProgress("network: proxy (every route and client link through a TCP proxy on loopback)");
    const disks = await this.#disks(dir, names);
    const deadEndPort = network ? (await freePorts(1))[0] : undefined;
    const systemUser = { user: "system", pass: randomBytes(12).toString("base64url") };
    const makeNode = (slot: NodeSlot, serverName: string): LocalNode => {
      const nodeDir = join(dir, serverName);
      mkdirSync(nodeDir, { recursive: true });
      const config = natsServerConfig({
        name: serverName,
        clusterName: `gauntlet-${id}`,
        ports: slot.ports,
        peers: ports,
        storeDir: join(nodeDir, "jetstream"),
        maxPayload: this.maxPayload,
        extra: this.extra,
        syncAlways: this.syncAlways,
        systemUser,
        noAdvertise: this.#noAdvertise,
        ...(tls ? { tls: { ca: tls.ca, ...tls.server } } : {}),
        ...(network && deadEndPort !== undefined ? { proxiedRoutes: { urls: network.routesFrom(slot.name), deadEndPort } } : {}),
      });
      return new LocalNode({
        binary: this.#binary,
        name: slot.name,
        serverName,
        dir: nodeDir,
        ports: slot.ports,
        config,
        tls: tls !== undefined,
        namespace: kernel?.node(slot.name).namespace,
        clientPort: network?.clientPort(slot.name),
        // A replacement's store is a new, empty directory: no tmpfs of its own.
        disk: serverName === slot.name ? disks?.[names.indexOf(slot.name)] : undefined,
      });
    };
    const nodes = ports.map((nodePorts, index) => {
      const name = names[index] as string;
      return makeNode({ name, ports: nodePorts }, name);
    });
    const clientTls = tls ? { ca: tls.ca, ...tls.client } : undefined;
    const cluster = new StartedLocalCluster({
      id,
      dir,
      nodes,
      network: kernel ?? network,
      tls,
      makeNode,
      systemAccount: { servers: nodes.map((node) => node.clientUrl), ...systemUser, ...(clientTls ? { tls: clientTls } : {}) },
    });
    try {
      this.onProgress(`starting ${nodes.length} nats-server node(s)`);
      for (const node of nodes) node.spawn();
      await Promise.all(nodes.map((node) => node.ready(this.timeoutMs)));
      this.onProgress("waiting for routes and a JetStream meta leader");
      let last: ClusterAssessment | undefined;
      cluster.formation = await waitForClusterFormed(
        nodes.map((node) => node.monitoringUrl),
        {
          timeoutMs: this.timeoutMs,
          intervalMs: 20,
          ...(signal ? { signal } : {}),
          onProgress: (assessment) => {
            last = assessment;
            this.onProgress(formationProgressLine(assessment, nodes.length));
          },
        },
      ).catch((error: unknown) => {
        throw error instanceof RetryError ? LocalClusterError.notFormed(error, nodes, last) : error;
      });
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** A tmpfs store per node when disk faults are asked for and possible; otherwise says why not and returns none. */
  async #disks(dir: string, names: readonly string[]): Promise<TmpfsDisk[] | undefined> {
    const bytes = this.diskBytes;
    if (bytes === undefined) return undefined;
    return mountStoreDisks(
      names.map((name) => join(dir, name, "jetstream")),
      bytes,
      this.onProgress,
    );
  }

  /** The kernel network when chosen (or `auto` and possible); `auto` falls back to the proxies and says why. */
  async #kernelNetwork(id: string, names: readonly string[]): Promise<KernelNetwork | undefined> {
    if (names.length < 2 || (this.#network !== "kernel" && this.#network !== "auto")) return undefined;
    const unavailable = kernelNetworkUnavailable();
    if (this.#network === "auto" && unavailable) {
      this.onProgress(`network: proxy (kernel network unavailable: ${unavailable})`);
      return undefined;
    }
    try {
      const kernel = await KernelNetwork.create(id, names);
      this.onProgress(`network: kernel (a namespace per node, subnet ${kernel.subnet.cidr}, partitions by iptables)`);
      return kernel;
    } catch (error) {
      if (this.#network === "kernel") throw error;
      this.onProgress(`network: proxy (kernel network failed: ${(error as Error).message})`);
      return undefined;
    }
  }

  /** The run's CA and certificates; the server's names the kernel network's node addresses too. */
  async #certificates(dir: string, addresses: readonly string[]): Promise<RunCertificates> {
    this.onProgress("making a CA and certificates for this run");
    const { createRunCertificates } = await import("../../tls/index.ts");
    return createRunCertificates(dir, `gauntlet ${basename(dirname(dir))}`, addresses);
  }

  async #allocatePorts(): Promise<NodePorts[]> {
    const hosts = this.#hosts;
    const fixed = this.#fixedPorts;
    if (hosts && fixed) return hosts.map((host) => ({ host, ...fixed }));
    const ports = await freePorts(this.nodes * 3);
    return Array.from({ length: this.nodes }, (_, i) => ({
      host: "127.0.0.1",
      client: ports[i * 3] as number,
      cluster: ports[i * 3 + 1] as number,
      monitoring: ports[i * 3 + 2] as number,
    }));
  }
}

/** Where a node runs: its name, ports and (on a kernel network) namespace outlive the server in it, as a machine's slot in an Auto Scaling group. */
interface NodeSlot {
  readonly name: string;
  readonly ports: NodePorts;
}

interface StartedLocalClusterParts {
  readonly id: string;
  readonly dir: string;
  readonly nodes: readonly LocalNode[];
  readonly network: LocalNetwork | KernelNetwork | undefined;
  readonly tls: RunCertificates | undefined;
  /** A node (not started) for a slot with a server name of its own and an empty store. */
  readonly makeNode: (slot: NodeSlot, serverName: string) => LocalNode;
  readonly systemAccount: NatsAccess;
}

export class StartedLocalCluster implements StartedStack, NodeReplacing {
  readonly id: string;
  readonly dir: string;
  /** Present when built with a network (`withNetwork`, `withNetworkFaults`): partitions between nodes. */
  readonly network: LocalNetwork | KernelNetwork | undefined;
  /** Present when built `withTls()`: the run's CA and the certificates clients use. */
  readonly tls: RunCertificates | undefined;
  /** The system account's user (made for this run), with the client TLS files when the cluster has TLS. */
  readonly systemAccount: NatsAccess;
  formation: ClusterAssessment | undefined;
  readonly #nodes: LocalNode[];
  readonly #replaced: LocalNode[] = [];
  readonly #makeNode: StartedLocalClusterParts["makeNode"];
  #replacements = 0;
  #stopped: Promise<void> | undefined;

  constructor(parts: StartedLocalClusterParts) {
    this.id = parts.id;
    this.dir = parts.dir;
    this.#nodes = [...parts.nodes];
    this.network = parts.network;
    this.tls = parts.tls;
    this.#makeNode = parts.makeNode;
    this.systemAccount = parts.systemAccount;
  }

  /** The nodes in their slots: a replaced node's replacement stands where it stood. */
  get nodes(): readonly LocalNode[] {
    return this.#nodes;
  }

  /** The nodes replacements took the place of (stopped; their logs stay in the run dir). */
  get replacedNodes(): readonly LocalNode[] {
    return this.#replaced;
  }

  /**
   * Stops node `name` (a graceful shutdown, as when an instance terminates), deletes its store, and
   * starts a new server in its slot: same ports, routes and namespace, a new server name
   * (`<slot>-r<N>`) and an empty store. The old server remains a meta-group peer until removed.
   * With `host` the new server listens there instead (a new machine's address, as in the AWS twin:
   * loopback hosts, its routes' proxies dial it there).
   */
  async replaceNode(name: string, options: { readonly host?: string } = {}): Promise<LocalNode> {
    const index = this.#nodes.findIndex((node) => node.name === name);
    const old = this.#nodes[index];
    if (!old) throw new LocalClusterError(`no node ${name} to replace (nodes: ${this.#nodes.map((node) => node.name).join(", ")})`);
    if (this.#stopped) throw new LocalClusterError(`cluster ${this.id} is stopped: cannot replace ${name}`);
    await old.stop();
    await old.disk?.unmount();
    rmSync(join(old.dir, "jetstream"), { recursive: true, force: true });
    this.#replacements += 1;
    const ports = options.host ? { ...old.ports, host: options.host } : old.ports;
    if (options.host) {
      if (this.network instanceof KernelNetwork) throw new LocalClusterError(`node ${name}: a kernel network's addresses are its own`);
      this.network?.moveNode(name, options.host);
    }
    const replacement = this.#makeNode({ name: old.name, ports }, `${old.name}-r${this.#replacements}`);
    this.#nodes[index] = replacement;
    this.#replaced.push(old);
    await replacement.start();
    return replacement;
  }

  /** The route proxies, when the network is made of them (their links, for tests and progress). */
  get proxies(): LocalNetwork | undefined {
    return this.network instanceof LocalNetwork ? this.network : undefined;
  }

  get networkKind(): NetworkKind | undefined {
    return this.network instanceof KernelNetwork ? "kernel" : this.network ? "proxy" : undefined;
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
      await Promise.all(this.nodes.map((node) => node.disk?.unmount()));
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
