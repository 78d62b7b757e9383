import { GauntletError } from "../../../lib/errors/index.ts";

interface ReplicaState {
  readonly service: string;
  readonly index: number;
  readonly running: boolean;
}

/** One service replica of a fleet co-hosted in a container, acted on through the fleet's control port (`fleet.ts --control`). */
export class FleetContainerReplica {
  readonly service: string;
  readonly index: number;
  readonly #url: string;
  readonly #token: string;
  #running: boolean;

  private constructor(state: ReplicaState, url: string, token: string) {
    this.service = state.service;
    this.index = state.index;
    this.#running = state.running;
    this.#url = url;
    this.#token = token;
  }

  /** Every replica the fleet at `url` runs. */
  static async list(url: string, token: string): Promise<FleetContainerReplica[]> {
    const states = (await call(url, token, "GET", "/replicas")) as ReplicaState[];
    return states.map((state) => new FleetContainerReplica(state, url, token));
  }

  get name(): string {
    return `${this.service}#${this.index}`;
  }

  get running(): boolean {
    return this.#running;
  }

  kill(): Promise<void> {
    return this.#act("kill");
  }

  stop(): Promise<void> {
    return this.#act("stop");
  }

  start(): Promise<void> {
    return this.#act("start");
  }

  async #act(action: "kill" | "stop" | "start"): Promise<void> {
    const state = (await call(this.#url, this.#token, "POST", `/replicas/${this.service}/${this.index}/${action}`)) as ReplicaState;
    this.#running = state.running;
  }
}

async function call(url: string, token: string, method: string, path: string): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(30_000),
  }).catch((error: unknown) => {
    throw new GauntletError(`fleet control ${method} ${path}: ${(error as Error).message}`, { cause: error });
  });
  const body = (await response.json()) as { error?: string };
  if (!response.ok) throw new GauntletError(`fleet control ${method} ${path}: ${response.status} ${body.error ?? ""}`);
  return body;
}
