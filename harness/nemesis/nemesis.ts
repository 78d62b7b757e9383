import type { NatsAccess } from "../../lib/nats-options/index.ts";
import type { HistoryRecorder } from "../history/index.ts";
import { FAULTS, type FaultContext, type FaultDefinition, type FaultSpec, type InjectedFault } from "./faults/index.ts";
import { mulberry32, type Random } from "./prng.ts";
import { NemesisError, type NemesisTarget, type StallableConsumer } from "./target.ts";

export interface NemesisOptions {
  /** Fault windows go here as nemesis start/stop entries. */
  readonly history?: HistoryRecorder | undefined;
  /** Seed for random picks (which node, which minority); default 1. */
  readonly seed?: number;
  readonly random?: Random;
  readonly onProgress?: ((message: string) => void) | undefined;
  readonly signal?: AbortSignal | undefined;
  /** How faults that act through JetStream's API (step-downs, stalls) reach it: the application's account, with rights to its streams. */
  readonly nats?: NatsAccess | undefined;
  /** The workloads' consumer processors, for faults that act on a consumer rather than on the system (`stall-consumer`). */
  readonly consumers?: readonly StallableConsumer[] | undefined;
}

/** A fault in effect, as the nemesis tracks it. */
export interface ActiveFault {
  readonly fault: FaultSpec["kind"];
  readonly target: Record<string, unknown>;
}

interface Entry extends ActiveFault {
  readonly injected: InjectedFault;
}

/**
 * Injects and heals faults against a target and records each as a fault window in the history
 * (`{process: "nemesis", f: "start"|"stop", value: {fault, target}}`). `healAll()` undoes
 * everything still in effect and then makes sure: network healed, disks freed, every node resumed and running.
 */
export class Nemesis {
  readonly target: NemesisTarget;
  readonly #history: HistoryRecorder | undefined;
  readonly #random: Random;
  readonly #progress: (message: string) => void;
  readonly #signal: AbortSignal | undefined;
  readonly #nats: NatsAccess | undefined;
  readonly #consumers: readonly StallableConsumer[];
  readonly #active: Entry[] = [];

  constructor(target: NemesisTarget, options: NemesisOptions = {}) {
    this.target = target;
    this.#history = options.history;
    this.#random = options.random ?? mulberry32(options.seed ?? 1);
    this.#progress = options.onProgress ?? (() => {});
    this.#signal = options.signal;
    this.#nats = options.nats;
    this.#consumers = options.consumers ?? [];
  }

  get active(): readonly ActiveFault[] {
    return this.#active.map(({ fault, target }) => ({ fault, target }));
  }

  /** Whether `kind` lasts as long as its injection takes (nothing to hold before the heal). */
  holdsItself(kind: FaultSpec["kind"]): boolean {
    return FAULTS[kind].holdsItself === true;
  }

  /** Why `target` cannot take the fault (a spec, or a kind with its defaults), or undefined when it can. */
  unsupported(fault: FaultSpec | FaultSpec["kind"]): string | undefined {
    const spec = (typeof fault === "string" ? { kind: fault } : fault) as FaultSpec;
    const definition = FAULTS[spec.kind] as FaultDefinition<FaultSpec>;
    return definition.unsupported?.(this.target, spec);
  }

  async inject(spec: FaultSpec): Promise<ActiveFault> {
    const definition = FAULTS[spec.kind] as FaultDefinition<FaultSpec> | undefined;
    if (!definition) throw new NemesisError(`nemesis: unknown fault "${(spec as { kind: unknown }).kind}"`);
    let begun: Record<string, unknown> | undefined;
    const begin = (target: Record<string, unknown>) => {
      if (begun) return;
      begun = target;
      this.#history?.nemesis("start", spec.kind, target);
    };
    const context: FaultContext = {
      target: this.target,
      random: this.#random,
      signal: this.#signal,
      nats: this.#nats,
      consumers: this.#consumers,
      progress: this.#progress,
      begin,
    };
    this.#progress(`inject ${spec.kind}`);
    let injected: InjectedFault;
    try {
      injected = await definition.inject(spec, context);
    } catch (error) {
      // Part of it may be in effect: keep the window open; healAll's sweep (network, resume, start) closes it.
      if (begun) this.#active.push({ fault: spec.kind, target: begun, injected: { target: begun, heal: () => this.#sweep() } });
      throw error;
    }
    begin(injected.target);
    const entry: Entry = { fault: spec.kind, target: begun ?? injected.target, injected };
    this.#active.push(entry);
    this.#progress(`injected ${spec.kind} ${JSON.stringify(entry.target)}`);
    return { fault: entry.fault, target: entry.target };
  }

  /** Heals one fault (the latest one of that kind and target), recording the end of its window. */
  async heal(fault: ActiveFault): Promise<void> {
    const index = this.#active.findLastIndex(
      (entry) => entry.fault === fault.fault && JSON.stringify(entry.target) === JSON.stringify(fault.target),
    );
    const entry = this.#active[index];
    if (!entry) throw new NemesisError(`nemesis: ${fault.fault} ${JSON.stringify(fault.target)} is not in effect`);
    await entry.injected.heal();
    this.#active.splice(index, 1);
    this.#history?.nemesis("stop", entry.fault, entry.target);
    this.#progress(`healed ${entry.fault} ${JSON.stringify(entry.target)}`);
  }

  /** Heals every fault in effect (latest first), then heals the network and resumes and starts every node. */
  async healAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const entry of [...this.#active].reverse()) {
      try {
        await this.heal(entry);
      } catch (error) {
        errors.push(error);
      }
    }
    try {
      await this.#sweep();
    } catch (error) {
      errors.push(error);
    }
    if (errors.length > 0) throw NemesisError.healFailed(errors);
  }

  /** Whatever faults did: network healed, every disk freed, every node resumed and running. */
  async #sweep(): Promise<void> {
    const errors: unknown[] = [];
    try {
      await this.target.network?.heal();
    } catch (error) {
      errors.push(error);
    }
    for (const node of this.target.nodes) {
      try {
        await node.disk?.free();
        await node.resume();
        if (!node.running) await node.start();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw NemesisError.healFailed(errors);
  }
}
