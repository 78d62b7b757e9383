import type { IssueAt } from "../../lib/field-problem/index.ts";
import { loadYamlFile } from "../../lib/yaml-file/index.ts";
import { scenarioNames } from "../load/index.ts";
import { GameDayError } from "./gameday-error.ts";
import { loadScenarioFile } from "./load-scenario.ts";
import { type GameDay, GameDaySchema, type Probe, type Step } from "./schema.ts";

/** Every probe of the file with where it sits, for checks across fields. */
function probesOf(gameDay: GameDay): { probe: Probe; path: PropertyKey[] }[] {
  const inSteps = (steps: readonly Step[], field: string) =>
    steps.flatMap((step, index) => (step.probe ? [{ probe: step.probe, path: [field, index, "probe"] }] : []));
  return [
    ...gameDay.steady_state.probes.map((probe, index) => ({ probe, path: ["steady_state", "probes", index] as PropertyKey[] })),
    ...inSteps(gameDay.method, "method"),
    ...inSteps(gameDay.rollbacks, "rollbacks"),
    ...gameDay.stop_conditions.flatMap((condition, index) =>
      "probe" in condition ? [{ probe: condition.probe, path: ["stop_conditions", index, "probe"] as PropertyKey[] }] : [],
    ),
  ];
}

/** Names that must match across the file: loads run a known scenario and are started by the method before a probe judges them; rollbacks make no faults. */
function crossCheck(gameDay: GameDay, file: string): IssueAt | undefined {
  for (const [index, step] of gameDay.method.entries()) {
    if (!step.load || !("start" in step.load) || loadScenarioFile(step.load, file)) continue;
    const given = step.load.scenario ?? step.load.start;
    return {
      path: ["method", index, "load", step.load.scenario === undefined ? "start" : "scenario"],
      problem: `no load scenario "${given}": suites/load has ${scenarioNames().join(", ")} (or give a path to a .ts scenario)`,
    };
  }
  const loads = new Set(gameDay.method.flatMap((step) => (step.load && "start" in step.load ? [step.load.start] : [])));
  for (const { probe, path } of probesOf(gameDay)) {
    const load = probe.gateway_slo?.load ?? probe.stream?.acked_from;
    const field = probe.gateway_slo ? ["gateway_slo", "load"] : ["stream", "acked_from"];
    if (load !== undefined && !loads.has(load))
      return { path: [...path, ...field], problem: `no load named "${load}" is started by the method (load: { start: ${load} })` };
  }
  for (const [index, step] of gameDay.method.entries()) {
    if (step.load && "stop" in step.load && !loads.has(step.load.stop))
      return { path: ["method", index, "load", "stop"], problem: `no load named "${step.load.stop}" is started by the method` };
  }
  for (const [index, step] of gameDay.rollbacks.entries()) {
    if (step.fault !== undefined) return { path: ["rollbacks", index, "fault"], problem: "a rollback cannot inject a fault" };
    if (step.load && "start" in step.load) return { path: ["rollbacks", index, "load"], problem: "a rollback can only stop a load" };
  }
  return undefined;
}

/** Reads a game-day file; the first problem is `file:field: problem (line N)`. */
export function loadGameDay(file: string): Promise<GameDay> {
  return loadYamlFile(file, GameDaySchema, { toError: GameDayError.fromProblem, check: (gameDay) => crossCheck(gameDay, file) });
}
