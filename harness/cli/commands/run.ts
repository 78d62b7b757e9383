import { join } from "node:path";
import { selectExperiments } from "../../failover/index.ts";
import { newSeed } from "../../nemesis/index.ts";
import { loadProfile, type Profile } from "../../profiles/index.ts";
import { resolveTargetFile } from "../../providers/index.ts";
import { RunRecord, type Summary } from "../../record/index.ts";
import { runProfile } from "../../run/run-profile.ts";
import { runVersionMatrix } from "../../run/version-matrix.ts";
import { paint, TaskList } from "../../ui/index.ts";
import { awsOptionSpec, awsOptionUsage, confirmExecution } from "../aws-execution.ts";
import { type Command, ExitCode, type ParsedOptions } from "../command.ts";
import { optionalString, parseCount, parseSeed } from "../options.ts";
import {
  fleetChoice,
  natsBuilds,
  natsVersionsOption,
  networkChoice,
  providerOptions,
  refuseNatsVersionWithTarget,
  stackOptionSpec,
  stackOptionUsage,
} from "../stack-options.ts";
import { renderVersionComparison } from "../version-table.ts";

const DEFAULT_PROFILE = "smoke";

/** Stack options on the command line win over the profile's. */
function stackOptions(profile: Profile, options: ParsedOptions) {
  const fleet = fleetChoice({
    ...options,
    "fleet-mode": options["fleet-mode"] ?? profile.stack.fleetMode,
    gateways: options.gateways ?? String(profile.stack.gateways),
  });
  return {
    ...providerOptions(options),
    nodes: parseCount("--nodes", options.nodes, profile.stack.nodes),
    fleet,
    network: networkChoice(options, profile.stack.network),
    tls: Boolean(options.tls) || profile.stack.tls,
    syncAlways: Boolean(options["sync-always"]) || profile.stack.syncAlways,
  };
}

/** `PASS (exit 0) — e2e 60/60, …` and where the run record is. */
function printVerdict(out: NodeJS.WriteStream, summary: Summary, recordDir: string, prefix = ""): void {
  const verdict = summary.exitCode === ExitCode.ok ? paint(out, "green", "PASS") : paint(out, "red", "FAIL");
  const counts = summary.suites
    .map((suite) => `${suite.name} ${suite.tests.filter((t) => t.state === "passed").length}/${suite.tests.length}`)
    .join(", ");
  out.write(`\n${prefix}${verdict} (exit ${summary.exitCode}) — ${counts}\n  run record ${recordDir} (open index.html)\n`);
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

With --nats-version A,B (two or more releases) it runs the profile once per version, each a
complete run on a stack of its own with the same seed, and compares them: every suite,
experiment and threshold's verdict side by side, and the figures that moved (p99s,
throughput, failover unavailability windows) against the first version. The run record
holds every version's run (nats-<version>/) and the comparison (summary.json 'versions').

Exit codes: 0 pass · 1 a test or checker failed · 99 only load thresholds failed ·
2 the harness could not run (bad profile, target or option; missing tool). With a version
list: 1 when a version fails what another passes, else the worst of the runs'.

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
    const profile = await loadProfile(optionalString(options.profile) ?? DEFAULT_PROFILE);
    const targetFile = optionalString(options.target);
    const versions = natsVersionsOption(options);
    refuseNatsVersionWithTarget(options, targetFile);
    const target = targetFile ? await resolveTargetFile(targetFile) : undefined;
    if (target?.aws && options.execute) {
      await confirmExecution(target, options, context);
      process.env.GAUNTLET_AWS_EXECUTE = "1";
    }
    const seed = parseSeed(optionalString(options.seed)) ?? profile.failover.seed ?? newSeed();
    const experiments = profile.failover.enabled ? selectExperiments(profile.failover.faults, profile.file).map((entry) => entry.name) : [];
    const stack = {
      ...stackOptions(profile, options),
      diskFaults: Boolean(options["disk-faults"]) || experiments.includes("disk-full"),
    };
    const progress = new TaskList(context.stderr, { quietBelowMs: 0 });
    const builds = await natsBuilds(versions, progress, context.signal).finally(() => progress.finish());
    context.stderr.write(`profile ${profile.name}: ${profile.description}\n`);
    const runsDir = optionalString(options["runs-dir"]) ?? join(context.repoRoot, "reports", "runs");
    const common = { profile, stack, seed, repoRoot: context.repoRoot, stderr: context.stderr, signal: context.signal };
    const out = context.stdout;
    if (builds.length > 1) {
      const summary = await runVersionMatrix({
        ...common,
        versions: builds,
        runsDir,
        onRun: (run, recordDir) => printVerdict(out, run.summary, recordDir, `nats ${run.version}: `),
      });
      if (summary.versions) out.write(`\n${renderVersionComparison(out, summary.versions)}\n`);
      printVerdict(out, summary, join(runsDir, summary.runId));
      if (profile.failover.enabled) out.write(`  failover seed ${seed}, the same for every version (replay: --seed ${seed})\n`);
      return summary.exitCode;
    }
    const [build] = builds;
    const record = new RunRecord(runsDir);
    const summary = await runProfile({
      ...common,
      stack: { ...stack, ...(build ? { natsServer: build.binary } : {}) },
      target,
      record,
      natsVersion: build?.version,
    });
    printVerdict(out, summary, record.dir);
    if (profile.failover.enabled) out.write(`  failover seed ${seed} (replay: --seed ${seed}; recheck: gauntlet check ${record.dir})\n`);
    for (const reason of summary.reasons) out.write(`  ✖ ${reason}\n`);
    return summary.exitCode;
  },
};
