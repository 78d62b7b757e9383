import type { StartedTestContainer } from "testcontainers";
import { GauntletError } from "../../../lib/errors/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { type Fetch, fetchTrusting } from "../../net/trusted-fetch.ts";
import { containerPid, dockerClient } from "./docker-client.ts";

/** A gateway (or any HTTP service) in a container: crash it (SIGKILL), stop it (SIGTERM: it drains), start it again on the same port. */
export class DockerReplica {
  readonly name: string;
  readonly url: string;
  readonly #container: StartedTestContainer;
  readonly #readyPath: string;
  readonly #fetch: Fetch;
  #running = true;
  #pid: number | undefined;

  private constructor(name: string, url: string, container: StartedTestContainer, readyPath: string, fetch: Fetch) {
    this.name = name;
    this.url = url;
    this.#container = container;
    this.#readyPath = readyPath;
    this.#fetch = fetch;
  }

  /** `ca`: the CA that signed its HTTPS certificate, trusted when asking whether it is ready. */
  static async attach(options: {
    name: string;
    url: string;
    container: StartedTestContainer;
    readyPath: string;
    ca?: string | undefined;
  }): Promise<DockerReplica> {
    const replica = new DockerReplica(options.name, options.url, options.container, options.readyPath, fetchTrusting(options.ca));
    replica.#pid = await containerPid(options.container.getId());
    return replica;
  }

  get running(): boolean {
    return this.#running;
  }

  get pid(): number | undefined {
    return this.#running ? this.#pid : undefined;
  }

  async #engineContainer() {
    const client = await dockerClient();
    return { client, container: client.container.getById(this.#container.getId()) };
  }

  async kill(): Promise<void> {
    const { container } = await this.#engineContainer();
    await container.kill({ signal: "SIGKILL" }).catch(() => {});
    await container.wait();
    this.#running = false;
  }

  async stop(): Promise<void> {
    const { container } = await this.#engineContainer();
    await container.stop({ t: 15 }).catch(() => {});
    this.#running = false;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    const { container } = await this.#engineContainer();
    await container.start();
    this.#running = true;
    this.#pid = await containerPid(container.id);
    await this.ready();
  }

  /** Until its ready path answers 200, asked every 50 ms (testcontainers' HTTP wait asks once a second). */
  async ready(timeoutMs = 30_000): Promise<void> {
    await waitUntil(
      async () =>
        (await this.#fetch(`${this.url}${this.#readyPath}`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined))?.ok
          ? true
          : undefined,
      { timeoutMs, intervalMs: 50, what: `${this.name} ${this.#readyPath}` },
    ).catch((error: unknown) => {
      throw new GauntletError(`${this.name} (container) did not become ready: ${(error as Error).message}`, { cause: error });
    });
  }
}
