import type { ChildReplica } from "./child-replica.ts";
import type { RunningReplica } from "./replica.ts";

/** One incarnation of a replica: a child process, or a connection co-hosted in this process. */
export interface Incarnation {
  readonly pid?: number;
  readonly exited?: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly gone: Promise<unknown>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export const fromChild = (child: ChildReplica): Incarnation => ({
  pid: child.pid,
  exited: child.exited,
  gone: child.exited,
  kill: child.kill,
  stop: child.stop,
});
export const fromCohosted = (replica: RunningReplica): Incarnation => ({ gone: replica.closed, kill: replica.kill, stop: replica.drain });

/**
 * A replica that can be crashed, drained and started again (same spec, same service and
 * index), as a nemesis or an operator would: `pid`, `exited` and `running` follow the current incarnation.
 */
export class FleetReplica {
  readonly service: string;
  readonly index: number;
  #launch: () => Promise<Incarnation>;
  #current: Incarnation;
  #running = true;

  private constructor(service: string, index: number, first: Incarnation, launch: () => Promise<Incarnation>) {
    this.service = service;
    this.index = index;
    this.#launch = launch;
    this.#current = first;
    this.#watch(first);
  }

  static async launch(service: string, index: number, launch: () => Promise<Incarnation>): Promise<FleetReplica> {
    return new FleetReplica(service, index, await launch(), launch);
  }

  get name(): string {
    return `${this.service}#${this.index}`;
  }

  get pid(): number | undefined {
    return this.#current.pid;
  }

  get exited(): Incarnation["exited"] {
    return this.#current.exited;
  }

  get running(): boolean {
    return this.#running;
  }

  kill(): Promise<void> {
    return this.#current.kill();
  }

  stop(): Promise<void> {
    return this.#current.stop();
  }

  /** Starts a new incarnation unless one is running. */
  async start(): Promise<void> {
    if (this.#running) return;
    const next = await this.#launch();
    this.#current = next;
    this.#running = true;
    this.#watch(next);
  }

  #watch(incarnation: Incarnation): void {
    void incarnation.gone.then(() => {
      if (this.#current === incarnation) this.#running = false;
    });
  }
}
