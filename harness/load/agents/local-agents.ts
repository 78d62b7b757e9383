import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { SupervisedProcess } from "../../process/index.ts";
import type { AgentEndpoint } from "./agent-connection.ts";
import { REPO_ROOT } from "./scenario-source.ts";

const CLI = join(REPO_ROOT, "harness", "cli", "main.ts");
const LISTENING = /listening on (wss?:\/\/\S+)/;

/** `--agents local:N`: N `gauntlet agent` processes on this machine's loopback, each with its own token. */
export class LocalAgents {
  readonly #count: number;
  #workers: number;

  constructor(count: number) {
    this.#count = count;
    this.#workers = Math.max(1, Math.floor(availableParallelism() / count));
  }

  /** Worker threads per agent (default: this machine's cores shared out). */
  withWorkers(workers: number): this {
    this.#workers = workers;
    return this;
  }

  async start(): Promise<StartedLocalAgents> {
    const processes: SupervisedProcess[] = [];
    try {
      const endpoints = await Promise.all(
        Array.from({ length: this.#count }, async (_, i) => {
          const name = `local-${i + 1}`;
          const token = randomBytes(24).toString("hex");
          const child = SupervisedProcess.spawn({
            label: `load agent ${name}`,
            command: process.execPath,
            args: ["--disable-warning=ExperimentalWarning", CLI, "agent", "--listen", "127.0.0.1:0", "--workers", String(this.#workers)],
            env: { ...process.env, GAUNTLET_AGENT_TOKEN: token },
          });
          processes.push(child);
          const url = await child.untilReady(
            new Promise<string>((resolve) => {
              let out = "";
              child.child.stdout?.on("data", (chunk: Buffer) => {
                out += chunk;
                const match = LISTENING.exec(out);
                if (match) resolve(match[1] as string);
              });
            }),
          );
          return { name, url, token } satisfies AgentEndpoint;
        }),
      );
      return new StartedLocalAgents(endpoints, processes);
    } catch (error) {
      await Promise.all(processes.map((p) => p.stop()));
      throw error;
    }
  }
}

export class StartedLocalAgents {
  readonly endpoints: readonly AgentEndpoint[];
  readonly processes: readonly SupervisedProcess[];

  constructor(endpoints: AgentEndpoint[], processes: SupervisedProcess[]) {
    this.endpoints = endpoints;
    this.processes = processes;
  }

  /** SIGTERM (a stopped agent gets SIGCONT first), SIGKILL after 5 s: no agent process outlives the run. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
