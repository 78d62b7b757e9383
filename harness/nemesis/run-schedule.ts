import { setTimeout as sleep } from "node:timers/promises";
import type { HistoryRecorder } from "../history/index.ts";
import { waitForHealthy } from "./health.ts";
import { Nemesis } from "./nemesis.ts";
import type { Schedule } from "./schedule.ts";
import type { NemesisTarget } from "./target.ts";

export interface RunScheduleOptions {
  readonly history?: HistoryRecorder | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((message: string) => void) | undefined;
}

export interface StepOutcome {
  readonly fault: string;
  readonly target: Record<string, unknown>;
}

export interface ScheduleReport {
  readonly seed: number;
  readonly steps: readonly StepOutcome[];
}

/**
 * Runs a schedule against a target. Whatever happens — abort, a fault that cannot be injected, a
 * cluster that does not re-form — every fault still in effect is healed before this returns or
 * throws: nothing is left partitioned, paused or stopped.
 */
export async function runSchedule(schedule: Schedule, target: NemesisTarget, options: RunScheduleOptions = {}): Promise<ScheduleReport> {
  const say = (message: string) => options.onProgress?.(`nemesis seed=${schedule.seed}: ${message}`);
  const signal = options.signal;
  const nemesis = new Nemesis(target, { history: options.history, seed: schedule.seed, onProgress: say, signal });
  const steps: StepOutcome[] = [];
  const wait = (ms: number) => (ms > 0 ? sleep(ms, undefined, signal ? { signal } : {}) : Promise.resolve());
  let failure: unknown;
  try {
    for (const phase of schedule.phases) {
      signal?.throwIfAborted();
      if (phase.phase === "quiet" || phase.phase === "drain") {
        say(`${phase.phase} ${phase.durationMs} ms`);
        await wait(phase.durationMs);
      } else if (phase.phase === "faults") {
        for (const [index, step] of phase.steps.entries()) {
          signal?.throwIfAborted();
          say(`fault ${index + 1}/${phase.steps.length}: ${step.fault.kind}, hold ${step.holdMs} ms`);
          const active = await nemesis.inject(step.fault);
          steps.push(active);
          await wait(step.holdMs);
          await nemesis.heal(active);
          await wait(step.gapMs);
        }
      } else {
        say("heal: every fault healed, waiting for the cluster to re-form");
        await nemesis.healAll();
        await waitForHealthy(target, { timeoutMs: phase.timeoutMs, signal });
      }
    }
  } catch (error) {
    // An abort surfaces as the caller's reason, not as the sleep's generic AbortError.
    failure = signal?.aborted ? signal.reason : error;
  } finally {
    if (nemesis.active.length > 0 || failure !== undefined) {
      say(failure === undefined ? "healing" : "stopping early: healing everything");
      await nemesis.healAll();
    }
  }
  if (failure !== undefined) throw failure;
  say("done");
  return { seed: schedule.seed, steps };
}
