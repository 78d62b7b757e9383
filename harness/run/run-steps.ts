import { join } from "node:path";
import type { Target } from "../config/index.ts";
import { EXPERIMENTS_ENV, FAILOVER_SUITE } from "../failover/index.ts";
import { type AgentsSpec, startAgents } from "../load/agents/index.ts";
import { type LoadResult, notRunSuiteResult, runLoad, toSuiteResult } from "../load/index.ts";
import type { LoadStep, Profile } from "../profiles/index.ts";
import { type FailoverSection, type LoadSection, type RunRecord, readFailoverSection, type SuiteResult } from "../record/index.ts";
import { toLoadSection } from "./load-section.ts";
import { runSuite } from "./suite-runner.ts";

export interface RunContext {
  readonly repoRoot: string;
  readonly target: Target;
  readonly record: RunRecord;
  /** Epoch ms when the run began: every time axis of the run record starts there. */
  readonly startedAtMs: number;
  /** Local processes of the system under test whose CPU and memory the load engine samples. */
  readonly pids: readonly number[];
  readonly stderr: NodeJS.WriteStream;
  readonly signal: AbortSignal;
}

const suiteEnv = (context: RunContext, extra: Record<string, string> = {}) => ({
  GAUNTLET_TARGET: context.target.file,
  GAUNTLET_RUN_DIR: context.record.dir,
  GAUNTLET_RUN_STARTED_AT: new Date(context.startedAtMs).toISOString(),
  ...extra,
});

export function runE2e(context: RunContext): Promise<SuiteResult> {
  context.stderr.write("\n▶ suite e2e\n");
  return runSuite({
    name: "e2e",
    include: ["suites/e2e/**/*.test.ts"],
    repoRoot: context.repoRoot,
    env: suiteEnv(context),
    signal: context.signal,
  });
}

/** The failover suite; its experiments leave `failover.json` (and `history.jsonl`) in the run dir. */
export async function runFailover(
  context: RunContext,
  failover: Profile["failover"],
): Promise<{ suite: SuiteResult; section?: FailoverSection }> {
  context.stderr.write(`\n▶ suite failover (${failover.faults.join(", ")}, seed ${failover.seed})\n`);
  // The profile's own names: under `all`, an experiment whose fault the target cannot take is skipped, saying why, as in `chaos all`.
  const env = suiteEnv(context, { ...failover.env, GAUNTLET_SEED: String(failover.seed), [EXPERIMENTS_ENV]: failover.faults.join(",") });
  const suite = await runSuite({ name: "failover", include: [FAILOVER_SUITE], repoRoot: context.repoRoot, env, signal: context.signal });
  const section = await readFailoverSection(context.record.dir);
  return section ? { suite, section } : { suite };
}

function scenarioFile(repoRoot: string, step: LoadStep): string {
  return step.scenario.endsWith(".ts") ? step.scenario : join(repoRoot, "suites", "load", `${step.scenario}.ts`);
}

/**
 * The profile's load scenarios, one after the other: a suite per scenario (one test per threshold) and the `load` section;
 * over the profile's agents when it names them (local ones started once for every scenario). A scenario that cannot
 * run (its setup throws, its options are wrong) is a suite in error, and the next one runs.
 */
export async function runLoadSteps(
  context: RunContext,
  steps: readonly LoadStep[],
  profileFile: string,
  /** Called before each scenario with its suite name; returns the context to run it in (the system may have been restarted). */
  beforeEach: (suite: string) => Promise<RunContext> = async () => context,
  /** Every step split over these agents (local ones started once for all steps). */
  agentsSpec?: AgentsSpec,
): Promise<{ suites: SuiteResult[]; section: LoadSection }> {
  const runs: Array<{ name: string; result: LoadResult; offsetS: number }> = [];
  const suites: SuiteResult[] = [];
  const token = process.env.GAUNTLET_AGENT_TOKEN;
  await using agents = agentsSpec ? await startAgents(agentsSpec, token === undefined ? {} : { token }) : undefined;
  for (const [index, step] of steps.entries()) {
    context.signal.throwIfAborted();
    const current = await beforeEach(`load ${step.scenario}`);
    current.stderr.write(`\n▶ load ${step.scenario}\n`);
    const offsetS = Math.round((Date.now() - context.startedAtMs) / 1000);
    const suite = `load ${step.scenario}`;
    const file = scenarioFile(context.repoRoot, step);
    const result = await runLoad({
      scenario: file,
      target: current.target,
      ...(step.rate !== undefined ? { rate: step.rate } : {}),
      ...(step.duration !== undefined ? { duration: step.duration } : {}),
      ...(step.thresholds ? { thresholds: step.thresholds, thresholdsFrom: `${profileFile}:load.scenarios[${index}].thresholds` } : {}),
      env: step.env ?? {},
      pids: [...current.pids],
      progress: context.stderr,
      outDir: context.record.path(join("load", step.scenario.replace(/[^\w.-]/g, "_"))),
      signal: context.signal,
      ...(agents ? { generators: agents.generators } : {}),
    }).catch((error: unknown) => {
      if (context.signal.aborted) throw error;
      current.stderr.write(`✖ ${suite} could not run: ${error instanceof Error ? error.message : String(error)}\n`);
      suites.push(notRunSuiteResult(suite, file, error));
      return undefined;
    });
    if (!result) continue;
    runs.push({ name: step.scenario, result, offsetS });
    suites.push(toSuiteResult(suite, result));
  }
  return { suites, section: toLoadSection(runs) };
}
