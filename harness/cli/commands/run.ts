import { join } from "node:path";
import { loadTarget, type Target } from "../../config/index.ts";
import { selectExperiments } from "../../failover/index.ts";
import { newSeed } from "../../nemesis/index.ts";
import { recordClusterState } from "../../probes/index.ts";
import { loadProfile, type Profile } from "../../profiles/index.ts";
import { resolveTargetFile } from "../../providers/index.ts";
import { RunRecord, type SuiteResult, type Summary, summarizeLatency } from "../../record/index.ts";
import { finishRun } from "../../run/finish-run.ts";
import { type RunContext, runE2e, runFailover, runLoadSteps } from "../../run/run-steps.ts";
import { type StartedLocalStack, startLocalStack } from "../../stack/index.ts";
import { paint, TaskList } from "../../ui/index.ts";
import { awsOptionSpec, awsOptionUsage, confirmExecution } from "../aws-execution.ts";
import { type Command, ExitCode, type ParsedOptions } from "../command.ts";
import { optionalString, parseCount, parseSeed } from "../options.ts";
import { fleetChoice, stackOptionSpec, stackOptionUsage } from "../stack-options.ts";

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
    networkFaults: Boolean(options["network-faults"]) || profile.stack.networkFaults,
    tls: Boolean(options.tls) || profile.stack.tls,
  };
}

function stackPids(stack: StartedLocalStack | undefined): number[] {
  if (!stack) return [];
  const pids = [
    ...stack.cluster.nodes.map((node) => node.pid),
    ...stack.gateways.map((gateway) => gateway.pid),
    ...(stack.fleet?.replicas.map((replica) => replica.pid) ?? []),
  ];
  return [...new Set(pids.filter((pid): pid is number => pid !== undefined && pid !== process.pid))];
}

/** 1 when a test or checker failed, 99 when only load thresholds did (as k6), else 0. */
function exitCodeOf(suites: readonly SuiteResult[]): number {
  const failed = suites.filter((suite) => suite.verdict !== "pass");
  if (failed.some((suite) => !suite.name.startsWith("load "))) return ExitCode.failed;
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
    const progress = new TaskList(context.stderr, { quietBelowMs: 0 });
    let stack: StartedLocalStack | undefined;
    try {
      if (!target) stack = await startLocalStack({ ...stackChoice, progress, signal: context.signal }).finally(() => progress.finish());
      const system = target ?? (await loadTarget((stack as StartedLocalStack).targetFile));
      const record = new RunRecord(optionalString(options["runs-dir"]) ?? join(context.repoRoot, "reports", "runs"));
      const run: RunContext = {
        repoRoot: context.repoRoot,
        target: system,
        record,
        startedAtMs: startedAt.getTime(),
        pids: stackPids(stack),
        stderr: context.stderr,
        signal: context.signal,
      };
      const before = await clusterState(system);
      const suites: SuiteResult[] = [];
      const sections: Pick<Summary, "failover" | "load"> = {};
      if (profile.e2e.enabled) suites.push(await runE2e(run));
      if (profile.failover.enabled) {
        const failover = await runFailover(run, { ...profile.failover, seed }, experiments);
        suites.push(failover.suite);
        if (failover.section) sections.failover = failover.section;
      }
      if (profile.load.enabled && profile.load.scenarios.length > 0) {
        const load = await runLoadSteps(run, profile.load.scenarios, profile.file);
        suites.push(...load.suites);
        sections.load = load.section;
      }
      const after = await clusterState(system);
      const exitCode = exitCodeOf(suites);
      const latency = summarizeLatency(record.dir);
      const complete = await finishRun(record, {
        startedAt,
        profile: profile.name,
        target: target ? { kind: "file", path: target.file, nodes: target.expect.nodes } : { kind: "local", nodes: stackChoice.nodes },
        suites,
        exitCode,
        cluster: { before, after },
        sections: { ...sections, ...(latency ? { latency } : {}) },
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
