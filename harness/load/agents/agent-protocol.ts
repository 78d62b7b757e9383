import type { MetricDelta } from "../metrics.ts";
import type { WorkerPlan } from "../protocol.ts";
import type { LoadTarget } from "../target.ts";

/** Bumped when a message changes shape; an agent refuses a coordinator of another version. */
export const AGENT_PROTOCOL_VERSION = 1;
/** The one WebSocket path an agent serves; `/healthz` answers unauthenticated health checks. */
export const AGENT_SESSION_PATH = "/v1/session";

/** The scenario module as the coordinator has it: an agent uses its own copy when identical, else this text. */
export interface ScenarioSource {
  /** Path relative to the repository root when the module lies inside it, else absolute. */
  path: string;
  source: string;
  sha256: string;
}

export interface UsageSample {
  /** Seconds since the agent's session began. */
  t: number;
  /** CPU of the agent process (every worker thread included) since the last sample, in percent of one core. */
  cpuPercent: number;
  rssBytes: number;
}

export type ToAgent =
  | { type: "sync"; id: number; t0: number }
  | {
      type: "prepare";
      scenario: ScenarioSource;
      plans: WorkerPlan[];
      target: LoadTarget;
      env: Record<string, string>;
      data: unknown;
      flushMs: number;
    }
  /** `runStartMs` on the agent's own clock. */
  | { type: "start"; runStartMs: number }
  | { type: "abort"; reason: string };

export type FromAgent =
  | { type: "hello"; version: number; host: string; pid: number; cores: number; workers: number }
  | { type: "synced"; id: number; t0: number; agentMs: number }
  | { type: "ready" }
  | { type: "delta"; worker: number; delta: MetricDelta }
  | { type: "usage"; sample: UsageSample }
  | { type: "done" }
  | { type: "failed"; message: string };

/** JSON has no Infinity, which constant-vus scenarios (iterations) and a worker's last delta (completeBefore) carry. */
export function encodeMessage(message: ToAgent | FromAgent): string {
  return JSON.stringify(message, (_key, value) => (value === Number.POSITIVE_INFINITY ? "Infinity" : value));
}

export function decodeMessage<T extends ToAgent | FromAgent>(text: string): T {
  const message = JSON.parse(text) as T;
  if (message.type === "delta" && (message.delta.completeBefore as unknown) === "Infinity") {
    message.delta.completeBefore = Number.POSITIVE_INFINITY;
  }
  if (message.type === "prepare") {
    for (const { assignments } of message.plans)
      for (const { scenario } of assignments)
        if ("iterations" in scenario && (scenario.iterations as unknown) === "Infinity") scenario.iterations = Number.POSITIVE_INFINITY;
  }
  return message;
}
