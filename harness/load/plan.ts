import { workersFor } from "./executor.ts";
import { maxVUsOf, type NormalizedScenario } from "./options.ts";
import type { Assignment } from "./protocol.ts";

/** What each of `workers` workers runs: every scenario spread over as many workers as it has VUs, VU ids unique across them. */
export function plan(scenarios: readonly NormalizedScenario[], workers: number): Assignment[][] {
  const perWorker: Assignment[][] = Array.from({ length: workers }, () => []);
  let vuIdBase = 1;
  for (const scenario of scenarios) {
    const used = workersFor(scenario, workers);
    const vus = maxVUsOf(scenario);
    for (let w = 0; w < used; w++) {
      perWorker[w]?.push({ scenario, workers: used, vuIdBase });
      vuIdBase += Math.ceil(vus / used);
    }
  }
  return perWorker;
}
