import { join } from "node:path";
import { loadTarget, type Target } from "../../config/index.ts";
import { selectExperiments } from "../../failover/index.ts";
import { newSeed } from "../../nemesis/index.ts";
import { recordClusterState } from "../../probes/index.ts";
import { loadProfile, type Profile } from "../../profiles/index.ts";
import { resolveTargetFile } from "../../providers/index.ts";
import { RunRecord, type SuiteResult, type Summary, summarizeLatency } from "../../record/index.ts";
import { durabilityPreflight, withProfileExpectations } from "../../run/durability-preflight.ts";
import { finishRun } from "../../run/finish-run.ts";
import { HealthGate } from "../../run/health-gate.ts";
import { type RunContext, runE2e, runFailover, runLoadSteps } from "../../run/run-steps.ts";
import { recordStackEvidence } from "../../run/stack-evidence.ts";
import { type StartedLocalStack, startLocalStack } from "../../stack/index.ts";
import { paint, TaskList } from "../../ui/index.ts";
import { awsOptionSpec, awsOptionUsage, confirmExecution } from "../aws-execution.ts";
import { type Command, ExitCode, type ParsedOptions } from "../command.ts";
import { optionalString, parseCount, parseSeed } from "../options.ts";
import { fleetChoice, networkChoice, stackOptionSpec, stackOptionUsage } from "../stack-options.ts";

const DEFAULT_PROFILE = "smoke";

const clusterState = (target: Target) => recordClusterState(target.nats.monitoring, target.expect.nodes);

/** Stack options on the command line win over the profile's. */
function stackOptions(profile: Profile, options: ParsedOptions) {
  const fleet = fleetChoice({
    ...options,
    "fleet-mode": options["fleet-mode"] ?? profile.stack.fleetMode,
    gateways: options.gateways ?? String(profile.stack.gateways),
  });
  return {
    nodes: parseCount("--nodes", options.nodes, profile.stack.nodes),
    fleet,
    network: networkChoice(options, profile.stack.network),
    tls: Boolean(options.tls) || profile.stack.tls,
    syncAlways: Boolean(options["sync-always"]) || profile.stack.syncAlways,
  };
}

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

export const command: Command = {
  name: "run",
  summary: "run a profile's suites (e2e, failover, load) on a local stack or a --target, write the run record",
  usage: `Usage: gauntlet run [--profile NAME|FILE] [--target FILE | stack options] [--runs-dir DIR]

Runs a profile (default ${DEFAULT_PROFILE}; also nightly, release, or your own YAML that may
'extends' ours): its e2e suite, failover experiments and load scenarios. Without --target
it starts the local stack the profile asks for and stops it at the end. Writes
reports/runs/<run-id>/ (summary.json, junit.xml, index.html, history.jsonl, load/) and
points reports/runs/latest at it.

Exit codes: 0 pass · 1 a test or checker failed · 99 only load thresholds failed ·
2 the harness could not run (bad profile, target or option; missing tool).

  --profile NAME|FILE  smoke (PR-sized), nightly, release, or a path
  --target FILE        run against that system instead of a local stack
  --runs-dir DIR       where run records go (default reports/runs)
  --seed S             the failover nemesis's seed (printed by every run; replays its choices)
${awsOptionUsage}
${stackOptionUsage}

With an aws target the failover experiments fault through AWS only with --execute; without
it they are reported as not run (see 'gauntlet chaos' for the dry-run plan).`,
  options: {
    ...stackOptionSpec,
    ...awsOptionSpec,
    profile: { type: "string" },
    target: { type: "string" },
    "runs-dir": { type: "string" },
    seed: { type: "string" },
  },
  async run(options, _positionals, context) {
    const startedAt = new Date();
    const profile = await loadProfile(optionalString(options.profile) ?? DEFAULT_PROFILE);
    const targetFile = optionalString(options.target);
    const target = targetFile ? await resolveTargetFile(targetFile) : undefined;
    if (target?.aws && options.execute) {
      await confirmExecution(target, options, context);
      process.env.GAUNTLET_AWS_EXECUTE = "1";
    }
    const stackChoice = stackOptions(profile, options);
    const seed = parseSeed(optionalString(options.seed)) ?? profile.failover.seed ?? newSeed();
    const experiments = profile.failover.enabled ? selectExperiments(profile.failover.faults, profile.file).map((entry) => entry.name) : [];
    context.stderr.write(`profile ${profile.name}: ${profile.description}\n`);
    let stack: StartedLocalStack | undefined;
    try {
      const startStack = () => {
        const progress = new TaskList(context.stderr, { quietBelowMs: 0 });
        return startLocalStack({
          ...stackChoice,
          diskFaults: Boolean(options["disk-faults"]) || experiments.includes("disk-full"),
          progress,
          signal: context.signal,
        }).finally(() => progress.finish());
      };
      if (!target) stack = await startStack();
      const system = withProfileExpectations(target ?? (await loadTarget((stack as StartedLocalStack).targetFile)), profile.expect);
      const record = new RunRecord(optionalString(options["runs-dir"]) ?? join(context.repoRoot, "reports", "runs"));
      let run: RunContext = {
        repoRoot: context.repoRoot,
        target: system,
        record,
        startedAtMs: startedAt.getTime(),
        pids: stack?.pids ?? [],
        stderr: context.stderr,
        signal: context.signal,
      };
      const gate = new HealthGate(system, {
        settleMs: profile.health.settleMs,
        signal: context.signal,
        log: (line) => context.stderr.write(`${line}\n`),
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
        const failover = await runFailover(await next("failover"), { ...profile.failover, seed }, experiments);
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
      const exitCode = exitCodeOf(suites, gate.checkpoints.length);
      const latency = summarizeLatency(record.dir);
      const complete = await finishRun(record, {
        startedAt,
        profile: profile.name,
        target: target ? { kind: "file", path: target.file, nodes: target.expect.nodes } : { kind: "local", nodes: stackChoice.nodes },
        suites,
        exitCode,
        cluster: { before, after },
        sections: { ...sections, ...(latency ? { latency } : {}) },
        health: gate.checkpoints,
      });
      const out = context.stdout;
      const verdict = exitCode === ExitCode.ok ? paint(out, "green", "PASS") : paint(out, "red", "FAIL");
      const counts = suites
        .map((suite) => `${suite.name} ${suite.tests.filter((t) => t.state === "passed").length}/${suite.tests.length}`)
        .join(", ");
      out.write(`\n${verdict} (exit ${exitCode}) — ${counts}\n  run record ${record.dir} (open index.html)\n`);
      if (profile.failover.enabled) out.write(`  failover seed ${seed} (replay: --seed ${seed}; recheck: gauntlet check ${record.dir})\n`);
      for (const reason of complete.reasons) out.write(`  ✖ ${reason}\n`);
      return exitCode;
    } finally {
      await stack?.stop();
    }
  },
};
