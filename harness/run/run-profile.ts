import { ExitCode } from "../cli/command.ts";
import { loadTarget, type Target } from "../config/index.ts";
import { recordClusterState } from "../probes/index.ts";
import type { Profile } from "../profiles/index.ts";
import { type RunRecord, type SuiteResult, type Summary, summarizeLatency } from "../record/index.ts";
import { type RunningStack, type StackOptions, startStack as startStackOn } from "../stack/index.ts";
import { TaskList } from "../ui/index.ts";
import { durabilityPreflight, withProfileExpectations } from "./durability-preflight.ts";
import { finishRun } from "./finish-run.ts";
import { HealthGate } from "./health-gate.ts";
import { type RunContext, runE2e, runFailover, runLoadSteps } from "./run-steps.ts";
import { recordStackEvidence } from "./stack-evidence.ts";

export interface ProfileRunOptions {
  readonly profile: Profile;
  /** The system to run against; without one, a local stack as `stack` describes. */
  readonly target?: Target | undefined;
  readonly stack: Omit<StackOptions, "progress" | "signal">;
  readonly seed: number;
  readonly record: RunRecord;
  /** The `--nats-version` the stack's binary was built from, recorded beside what the nodes report. */
  readonly natsVersion?: string | undefined;
  readonly repoRoot: string;
  readonly stderr: NodeJS.WriteStream;
  readonly signal: AbortSignal;
}

const clusterState = (target: Target) => recordClusterState(target.nats.monitoring, target.expect.nodes);

/**
 * 1 when a test or checker failed, a suite could not run or left the system unhealthy, 99 when only load thresholds
 * failed (as k6), else 0.
 */
function exitCodeOf(suites: readonly SuiteResult[], unhealthyBoundaries: number): number {
  const failed = suites.filter((suite) => suite.verdict !== "pass");
  const notThresholds = failed.some((suite) => suite.verdict === "error" || !suite.name.startsWith("load "));
  if (unhealthyBoundaries > 0 || notThresholds) return ExitCode.failed;
  return failed.length > 0 ? ExitCode.thresholdFailed : ExitCode.ok;
}

/**
 * One complete run of a profile: the local stack it asks for (unless there is a target), its
 * suites with the health gate between them, the run record; the stack is stopped whatever happens.
 */
export async function runProfile(options: ProfileRunOptions): Promise<Summary> {
  const { profile, record, stderr, signal } = options;
  const startedAt = new Date();
  let stack: RunningStack | undefined;
  try {
    const startStack = () => {
      const progress = new TaskList(stderr, { quietBelowMs: 0 });
      return startStackOn({
        ...options.stack,
        ...(options.natsVersion ? { natsVersion: options.natsVersion } : {}),
        progress,
        signal,
      }).finally(() => progress.finish());
    };
    if (!options.target) stack = await startStack();
    const system = withProfileExpectations(options.target ?? (await loadTarget((stack as RunningStack).targetFile)), profile.expect);
    let run: RunContext = {
      repoRoot: options.repoRoot,
      target: system,
      record,
      startedAtMs: startedAt.getTime(),
      pids: stack?.pids ?? [],
      stderr,
      signal,
    };
    const gate = new HealthGate(system, {
      settleMs: profile.health.settleMs,
      signal,
      log: (line) => stderr.write(`${line}\n`),
      restart: stack
        ? async () => {
            await stack?.stop();
            stack = undefined;
            stack = await startStack();
            return withProfileExpectations(await loadTarget(stack.targetFile), profile.expect);
          }
        : undefined,
    });
    let previousSuite: string | undefined;
    /** The context for the next suite, once the system the previous one left is healthy (or known not to be). */
    const next = async (suite: string): Promise<RunContext> => {
      if (previousSuite !== undefined) {
        await gate.between(previousSuite, suite);
        run = { ...run, target: gate.target, pids: stack?.pids ?? [] };
      }
      previousSuite = suite;
      return run;
    };
    const before = await clusterState(system);
    const suites: SuiteResult[] = [];
    const sections: Pick<Summary, "failover" | "load"> = {};
    const preflight = await durabilityPreflight(system);
    if (preflight) suites.push(preflight);
    if (profile.e2e.enabled) suites.push(await runE2e(await next("e2e")));
    if (profile.failover.enabled) {
      const failover = await runFailover(await next("failover"), { ...profile.failover, seed: options.seed });
      suites.push(failover.suite);
      if (failover.section) sections.failover = failover.section;
    }
    if (profile.load.enabled && profile.load.scenarios.length > 0) {
      const load = await runLoadSteps(run, profile.load.scenarios, profile.file, next, profile.load.agents);
      suites.push(...load.suites);
      sections.load = load.section;
    }
    const after = await clusterState(gate.target);
    if (stack) recordStackEvidence(record, stack);
    const latency = summarizeLatency(record.dir);
    return await finishRun(record, {
      startedAt,
      profile: profile.name,
      target: options.target
        ? { kind: "file", path: options.target.file, nodes: options.target.expect.nodes }
        : { kind: "local", nodes: options.stack.nodes },
      suites,
      exitCode: exitCodeOf(suites, gate.checkpoints.length),
      cluster: { before, after },
      sections: { ...sections, ...(latency ? { latency } : {}) },
      health: gate.checkpoints,
      ...(options.natsVersion ? { requestedNatsVersion: options.natsVersion } : {}),
    });
  } finally {
    await stack?.stop();
  }
}
