import type { MetricDelta } from "./metrics.ts";
import type { NormalizedScenario } from "./options.ts";
import type { LoadTarget } from "./target.ts";

export interface Assignment {
  scenario: NormalizedScenario;
  /** Workers the scenario is spread over; this worker's index is below it. */
  workers: number;
  vuIdBase: number;
}

/** One worker's part of a run, wherever it runs (this process or an agent). */
export interface WorkerPlan {
  /** The worker's index in the whole run (its share of every schedule). */
  worker: number;
  assignments: Assignment[];
}

export interface WorkerInput {
  file: string;
  worker: number;
  assignments: Assignment[];
  target: LoadTarget;
  env: Record<string, string>;
  data: unknown;
  flushMs: number;
}

export type ToWorker = { type: "start"; runStartMs: number } | { type: "abort"; reason: string };

export type FromWorker =
  | { type: "ready" }
  | { type: "delta"; delta: MetricDelta }
  | { type: "done"; delta: MetricDelta }
  | { type: "failed"; message: string; stack?: string };
