import type { NatsAccess } from "../../../lib/nats-options/index.ts";
import type { Random } from "../prng.ts";
import type { NemesisTarget, StallableConsumer } from "../target.ts";

export interface FaultContext {
  readonly target: NemesisTarget;
  /** Seeded: random picks replay with the run's seed. */
  readonly random: Random;
  readonly signal: AbortSignal | undefined;
  /** JetStream as the application's account sees it, for faults that act through its API (step-downs, stalls); from `NemesisOptions.nats`. */
  readonly nats: NatsAccess | undefined;
  /** The workloads' consumer processors a fault may stall; from `NemesisOptions.consumers`. */
  readonly consumers: readonly StallableConsumer[];
  readonly progress: (message: string) => void;
  /**
   * Opens the fault window now, with the target the heal will close it with. Faults that take
   * time (a rolling restart) call it before they start acting; for the others the window opens
   * when `inject` returns.
   */
  readonly begin: (target: Record<string, unknown>) => void;
}

/** A fault in effect: what it hit (recorded in the history) and how to undo it. */
export interface InjectedFault {
  readonly target: Record<string, unknown>;
  heal(): Promise<void>;
}

export interface FaultDefinition<Spec extends { readonly kind: string }> {
  readonly kind: Spec["kind"];
  /** The fault lasts as long as its `inject` takes (a rolling or full restart): whoever injects it does not hold it longer. */
  readonly holdsItself?: boolean;
  /** Whether the target can take this fault (e.g. partitions need `target.network`); undefined = yes, else why not. */
  unsupported?(target: NemesisTarget, spec: Spec): string | undefined;
  inject(spec: Spec, context: FaultContext): Promise<InjectedFault>;
}
