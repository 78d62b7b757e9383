import { closeSync, openSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { GauntletError } from "../../../lib/errors/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { acceptsConnections } from "../../net/accepts-connections.ts";
import { getMonitoring } from "../../probes/index.ts";
import { crashGuard, SupervisedProcess } from "../../process/index.ts";
import type { NodeHandle } from "../stack.ts";
import { logTail } from "./log-tail.ts";
import type { NodePorts } from "./nats-server-config.ts";
import type { TmpfsDisk } from "./tmpfs-disk.ts";

const LAME_DUCK_WAIT_MS = 3_000;

export class NodeError extends GauntletError {
  override name = "NodeError";

  static failedToStart(node: string, logFile: string, cause: unknown): NodeError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new NodeError(`nats-server ${node} failed to start: ${reason}${logTail(logFile, 8)}`, { cause });
  }

  static addressInUse(error: NodeError): boolean {
    return /address already in use/i.test(error.message);
  }
}

export interface LocalNodeOptions {
  readonly binary: string;
  /** The node's slot (what faults and partitions name it by). */
  readonly name: string;
  /** Its nats-server `server_name`: the slot's name unless a replacement took the slot. */
  readonly serverName?: string;
  readonly dir: string;
  readonly ports: NodePorts;
  readonly config: Record<string, unknown>;
  /** The node requires TLS: its client URL says `tls://`. */
  readonly tls?: boolean;
  /** The network namespace the node runs in (a kernel network), if not the harness's own. */
  readonly namespace?: string | undefined;
  /** Where clients connect when not straight to the client port (a client-link proxy on loopback). */
  readonly clientPort?: number | undefined;
  /** The node's JetStream store is on this tmpfs (disk faults). */
  readonly disk?: TmpfsDisk | undefined;
}

/** One nats-server process (on loopback ports, or in a namespace of its own); restartable on the same ports and data dir. */
export class LocalNode implements NodeHandle {
  readonly name: string;
  readonly serverName: string;
  readonly clientUrl: string;
  readonly monitoringUrl: string;
  readonly ports: NodePorts;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  readonly namespace: string | undefined;
  readonly disk: TmpfsDisk | undefined;
  #binary: string;
  #process: SupervisedProcess | undefined;

  constructor(options: LocalNodeOptions) {
    this.name = options.name;
    this.serverName = options.serverName ?? options.name;
    this.ports = options.ports;
    this.dir = options.dir;
    this.namespace = options.namespace;
    this.disk = options.disk;
    const host = options.ports.host ?? "127.0.0.1";
    this.clientUrl =
      options.clientPort === undefined
        ? `${options.tls ? "tls" : "nats"}://${host}:${options.ports.client}`
        : `${options.tls ? "tls" : "nats"}://127.0.0.1:${options.clientPort}`;
    this.monitoringUrl = `http://${host}:${options.ports.monitoring}`;
    this.configFile = join(options.dir, "nats-server.json");
    this.logFile = join(options.dir, "nats-server.log");
    this.#binary = options.binary;
    // It holds the stack's passwords: readable by its owner only.
    writeFileSync(this.configFile, `${JSON.stringify(options.config, null, 2)}\n`, { mode: 0o600 });
  }

  get pid(): number | undefined {
    return this.#process?.running ? this.#process.pid : undefined;
  }

  get running(): boolean {
    return this.#process?.running ?? false;
  }

  /** Spawns the process; `ready()` waits until its monitoring port answers. */
  spawn(): void {
    if (this.running) return;
    const log = openSync(this.logFile, "a");
    const child = SupervisedProcess.spawn({
      label: `nats-server ${this.name}`,
      // `ip netns exec` enters the namespace and execs nats-server: the pid stays the server's.
      command: this.namespace ? "ip" : this.#binary,
      args: this.namespace ? ["netns", "exec", this.namespace, this.#binary, "-c", this.configFile] : ["-c", this.configFile],
      logFile: log,
    });
    closeSync(log);
    this.#process = child;
    const pid = child.pid;
    if (pid !== undefined) {
      crashGuard.watchProcess(pid);
      void child.exited.then(() => crashGuard.forgetProcess(pid));
    }
  }

  async ready(timeoutMs = 10_000): Promise<void> {
    const child = this.#process;
    if (!child) throw new NodeError(`nats-server ${this.name} is not started`);
    try {
      await child.untilReady(
        // The client port opens once JetStream runs, the monitoring port before JetStream starts:
        // a /varz asked in between would say "no JetStream" for the server's whole life (its
        // JetStream section is filled in on the first /varz only), so /varz comes last.
        waitUntil(
          async () => {
            await acceptsConnections(this.ports.host ?? "127.0.0.1", this.ports.client);
            await getMonitoring(this.monitoringUrl, "/varz", 500);
            return true;
          },
          {
            timeoutMs,
            intervalMs: 10,
            what: `${this.name} monitoring port`,
          },
        ),
      );
    } catch (error) {
      throw NodeError.failedToStart(this.name, this.logFile, error);
    }
  }

  async start(): Promise<void> {
    this.spawn();
    await this.ready();
  }

  async stop(options: { lameDuck?: boolean } = {}): Promise<void> {
    const child = this.#process;
    if (!child?.running) return;
    if (options.lameDuck) {
      child.signal("SIGCONT");
      child.signal("SIGUSR2");
      // Lame duck hands leadership away and sheds clients over 30 s; we give it a few seconds, then stop.
      await Promise.race([child.exited, new Promise((resolve) => setTimeout(resolve, LAME_DUCK_WAIT_MS).unref())]);
    }
    await child.stop();
  }

  async kill(): Promise<void> {
    await this.#process?.kill();
  }

  /** Resolves once the kernel reports the process stopped: a signal is delivered asynchronously. */
  async pause(): Promise<void> {
    this.#process?.signal("SIGSTOP");
    await this.#untilState((state) => state === "T");
  }

  async resume(): Promise<void> {
    this.#process?.signal("SIGCONT");
    await this.#untilState((state) => state !== "T");
  }

  async #untilState(wanted: (state: string) => boolean): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    await waitUntil(
      async () => {
        const state = await readFile(`/proc/${pid}/stat`, "utf8").then(
          (stat) => stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3),
          () => "gone",
        );
        return state === "gone" || wanted(state) ? true : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 1, what: `${this.name} (pid ${pid}) to change state` },
    );
  }
}
