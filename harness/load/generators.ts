import type { AgentReport } from "./agents/agent-report.ts";
import type { MetricDelta } from "./metrics.ts";
import type { NormalizedScenario } from "./options.ts";
import type { LoadTarget } from "./target.ts";

export interface GeneratorsInput {
  /** Absolute path of the scenario module. */
  file: string;
  scenarios: NormalizedScenario[];
  target: LoadTarget;
  env: Record<string, string>;
  /** What setup returned. */
  data: unknown;
  /** Every worker's metric deltas, by the worker's index in the whole run. */
  onDelta(worker: number, delta: MetricDelta): void;
  /** A line for the user while the run goes on (an agent lost, …). */
  notice(line: string): void;
}

/** Where a run's workers live: threads of this process, or agents on other processes and hosts. */
export interface Generators {
  /** Workers in the whole run; each hands over its seconds under its own index. */
  readonly workers: number;
  /** Resolves when every worker has loaded the scenario and waits for the start. */
  readonly ready: Promise<void>;
  /** Resolves when every worker has finished; rejects with the first failure. */
  readonly finished: Promise<void>;
  /** Starts every worker at one shared moment and returns it (epoch ms on this process's clock). */
  start(): number;
  abort(reason: string): void;
  /** Agents only: each one's share, counts, resource use, and whether it kept up. */
  agents?(): AgentReport[];
  /** Ends every thread, session and process the generators still hold; safe to call twice. */
  close(): Promise<void>;
}

export type GeneratorsFactory = (input: GeneratorsInput) => Promise<Generators>;
