import { createWriteStream } from "node:fs";
import type { Readable } from "node:stream";
import type { StartedTestContainer } from "testcontainers";
import { GauntletError } from "../../../lib/errors/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { acceptsConnections } from "../../net/accepts-connections.ts";
import { getMonitoring } from "../../probes/index.ts";
import type { NodeDisk, NodeHandle } from "../stack.ts";
import { containerPid, dockerClient } from "./docker-client.ts";

const LAME_DUCK_WAIT_MS = 3_000;

export class DockerNodeError extends GauntletError {
  override name = "DockerNodeError";

  static notReady(node: string, cause: unknown): DockerNodeError {
    return new DockerNodeError(`nats-server ${node} (container) did not become ready: ${(cause as Error).message}`, { cause });
  }
}

export interface DockerNodeOptions {
  /** Its slot in the stack (`nats-3`): the container's DNS alias; a replacement keeps it. */
  readonly name: string;
  /** Its nats-server's name: the slot's, or a replacement's own (`nats-3-r1`). */
  readonly serverName?: string;
  /** Its address on the stack's network: peers route to it, partitions cut it. */
  readonly address: string;
  /** The host port the container's client port is published on. */
  readonly clientPort: number;
  /** A client proxy's port on 127.0.0.1 in front of it (route proxies mode): then clients connect there. */
  readonly proxiedClientPort?: number | undefined;
  readonly monitoringPort: number;
  readonly logFile: string;
  /** The node requires TLS: its client URL says `tls://`. */
  readonly tls?: boolean;
  /** Its store's disk on this machine, bind-mounted into the container (disk faults). */
  readonly disk?: (NodeDisk & { readonly dir: string; unmount(): Promise<void> }) | undefined;
}

/** One nats-server container; its faults are the engine's: kill, stop (lame duck first: SIGUSR2), pause, start again with the same ports and store. */
export class DockerNode implements NodeHandle {
  readonly name: string;
  readonly address: string;
  readonly clientUrl: string;
  readonly monitoringUrl: string;
  readonly logFile: string;
  readonly disk: (NodeDisk & { readonly dir: string; unmount(): Promise<void> }) | undefined;
  readonly namespace = undefined;
  readonly serverName: string;
  readonly #clientPort: number;
  readonly #proxiedClientPort: number | undefined;
  readonly #monitoringPort: number;
  readonly #tls: boolean;
  #container: StartedTestContainer | undefined;
  #pid: number | undefined;
  #running = false;

  constructor(options: DockerNodeOptions) {
    this.name = options.name;
    this.serverName = options.serverName ?? options.name;
    this.address = options.address;
    this.clientUrl = `${options.tls ? "tls" : "nats"}://127.0.0.1:${options.proxiedClientPort ?? options.clientPort}`;
    this.monitoringUrl = `http://127.0.0.1:${options.monitoringPort}`;
    this.logFile = options.logFile;
    this.disk = options.disk;
    this.#clientPort = options.clientPort;
    this.#proxiedClientPort = options.proxiedClientPort;
    this.#monitoringPort = options.monitoringPort;
    this.#tls = options.tls ?? false;
  }

  /** The host port the container's client port is published on (the client URL may be a proxy's). */
  get publishedClientPort(): number {
    return this.#clientPort;
  }

  /** A node (no container yet) for this one's slot: its address and host ports, a server name of its own, its store in the container. */
  replacement(serverName: string, logFile: string): DockerNode {
    return new DockerNode({
      name: this.name,
      serverName,
      address: this.address,
      clientPort: this.#clientPort,
      proxiedClientPort: this.#proxiedClientPort,
      monitoringPort: this.#monitoringPort,
      logFile,
      tls: this.#tls,
    });
  }

  get running(): boolean {
    return this.#running;
  }

  /** The server's pid on this machine (containers are processes here too), while it runs. */
  get pid(): number | undefined {
    return this.#running ? this.#pid : undefined;
  }

  get containerId(): string | undefined {
    return this.#container?.getId();
  }

  /** Takes over the container testcontainers started. */
  async attach(container: StartedTestContainer): Promise<void> {
    this.#container = container;
    this.#running = true;
    this.#pid = await containerPid(container.getId());
  }

  /** Appends the container's output to the node's log file (the first start's comes from testcontainers' log consumer). */
  static appendTo(file: string): (stream: Readable) => void {
    return (stream) => {
      stream.pipe(createWriteStream(file, { flags: "a" }));
    };
  }

  async #engineContainer() {
    const id = this.containerId;
    if (!id) throw new DockerNodeError(`nats-server ${this.name} has no container`);
    const client = await dockerClient();
    return { client, container: client.container.getById(id) };
  }

  async kill(): Promise<void> {
    if (!this.#running) return;
    const { container } = await this.#engineContainer();
    await container.kill({ signal: "SIGKILL" }).catch(ignoreNotRunning);
    // A paused (frozen) container dies once thawed.
    await this.resume().catch(() => {});
    await container.wait();
    this.#running = false;
  }

  async stop(options: { lameDuck?: boolean } = {}): Promise<void> {
    if (!this.#running) return;
    const { container } = await this.#engineContainer();
    await this.resume();
    if (options.lameDuck) {
      await container.kill({ signal: "SIGUSR2" }).catch(ignoreNotRunning);
      // Lame duck hands leadership away and sheds clients over 30 s; we give it a few seconds, then stop.
      await Promise.race([container.wait(), new Promise((resolve) => setTimeout(resolve, LAME_DUCK_WAIT_MS).unref())]);
    }
    await container.stop({ t: 10 }).catch(ignoreNotRunning);
    this.#running = false;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    const { client, container } = await this.#engineContainer();
    const since = Math.floor(Date.now() / 1000);
    await container.start();
    this.#running = true;
    this.#pid = await containerPid(container.id);
    DockerNode.appendTo(this.logFile)(await client.container.logs(container, { since }));
    await this.ready();
  }

  /** A graceful stop, then the container is removed: its address and host ports are free for a replacement. */
  async terminate(): Promise<void> {
    await this.stop();
    const { container } = await this.#engineContainer();
    await container.remove({ force: true, v: true });
  }

  /** Until its monitoring port answers and its client port accepts connections (a scratch image has no shell to ask). */
  async ready(timeoutMs = 30_000): Promise<void> {
    await waitUntil(
      async () => {
        await getMonitoring(this.monitoringUrl, "/varz", 500);
        return acceptsConnections("127.0.0.1", this.#clientPort);
      },
      { timeoutMs, intervalMs: 20, what: `${this.name} monitoring and client ports` },
    ).catch((error: unknown) => {
      throw DockerNodeError.notReady(this.name, error);
    });
  }

  /** A node that is down or paused already stays as it is (a heal resumes every node, as SIGCONT would). */
  async pause(): Promise<void> {
    const { client, container } = await this.#engineContainer();
    const state = (await client.container.inspect(container)).State;
    if (state.Running && !state.Paused) await container.pause();
  }

  async resume(): Promise<void> {
    const { client, container } = await this.#engineContainer();
    if ((await client.container.inspect(container)).State.Paused) await container.unpause();
  }
}

/** 304/409: the container is not running (any more), which is what a kill or stop wants. */
function ignoreNotRunning(error: { statusCode?: number }): void {
  if (error.statusCode !== 304 && error.statusCode !== 409) throw error;
}
