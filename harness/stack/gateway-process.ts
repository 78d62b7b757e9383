import { fileURLToPath } from "node:url";
import { GauntletError } from "../../lib/errors/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import { freePort } from "../net/free-port.ts";
import { type Fetch, fetchTrusting } from "../net/trusted-fetch.ts";
import { crashGuard, SupervisedProcess } from "../process/index.ts";
import type { RunCertificates } from "../tls/index.ts";

const GATEWAY_BIN = fileURLToPath(new URL("../../gateway/bin/gateway.ts", import.meta.url));

export interface GatewayProcessOptions {
  readonly name: string;
  readonly manifest: string;
  readonly servers: readonly string[];
  readonly credentials: { readonly user: string; readonly pass: string };
  /** NATS over TLS with the client certificate, and HTTPS with the server certificate. */
  readonly tls?: RunCertificates | undefined;
}

/** One gateway replica as its own process; it restarts on the port it first got, so its URL stays valid. */
export class GatewayProcess {
  readonly name: string;
  #options: GatewayProcessOptions;
  #process: SupervisedProcess | undefined;
  #port = 0;
  readonly #fetch: Fetch;

  constructor(options: GatewayProcessOptions) {
    this.name = options.name;
    this.#options = options;
    this.#fetch = fetchTrusting(options.tls?.ca);
  }

  get url(): string {
    return `${this.#options.tls ? "https" : "http"}://127.0.0.1:${this.#port}`;
  }

  get pid(): number | undefined {
    return this.#process?.running ? this.#process.pid : undefined;
  }

  get running(): boolean {
    return this.#process?.running ?? false;
  }

  async start(): Promise<void> {
    if (this.running) return;
    // A port outside the ephemeral range stays ours while the gateway is down, for its restart.
    this.#port ||= await freePort();
    const { manifest, servers, credentials, tls } = this.#options;
    const args = ["--disable-warning=ExperimentalWarning", GATEWAY_BIN, "--manifest", manifest, "--servers", servers.join(",")];
    args.push("--port", String(this.#port));
    if (tls) {
      args.push("--tls-ca", tls.ca, "--tls-cert", tls.client.cert, "--tls-key", tls.client.key);
      args.push("--https-cert", tls.server.cert, "--https-key", tls.server.key);
    }
    // Credentials by environment, never argv: every local user can read argv in `ps`.
    const env = { ...process.env, GAUNTLET_NATS_USER: credentials.user, GAUNTLET_NATS_PASS: credentials.pass };
    const child = SupervisedProcess.spawn({ label: `gateway ${this.name}`, command: process.execPath, args, env });
    this.#process = child;
    const pid = child.pid;
    if (pid !== undefined) {
      crashGuard.watchProcess(pid);
      void child.exited.then(() => crashGuard.forgetProcess(pid));
    }
    const listening = new Promise<number>((resolve) => {
      let buffered = "";
      child.child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        const line = buffered.split("\n").find((candidate) => candidate.startsWith("{"));
        if (line) resolve(Number(new URL((JSON.parse(line) as { url: string }).url).port));
      });
    });
    this.#port = Number(await child.untilReady(listening));
    await child
      .untilReady(
        waitUntil(async () => ((await this.#fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1_000) })).ok ? true : undefined), {
          timeoutMs: 15_000,
          what: `gateway ${this.name} /readyz`,
        }),
      )
      .catch((error: unknown) => {
        throw new GauntletError(`gateway ${this.name} did not become ready: ${(error as Error).message}`, { cause: error });
      });
  }

  kill(): Promise<void> {
    return this.#process?.kill() ?? Promise.resolve();
  }

  /** SIGTERM: the gateway drains in-flight requests and NATS, then exits. */
  stop(): Promise<void> {
    return this.#process?.stop(15_000) ?? Promise.resolve();
  }
}
