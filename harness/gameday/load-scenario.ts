import { dirname } from "node:path";
import { findScenario } from "../load/index.ts";

/** The scenario module a `load: start` step runs: a name of suites/load, or a path relative to the game-day file. */
export function loadScenarioFile(
  load: { readonly start: string; readonly scenario?: string | undefined },
  gameDayFile: string,
): string | undefined {
  return findScenario(load.scenario ?? load.start, dirname(gameDayFile));
}
