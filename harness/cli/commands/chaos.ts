import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GauntletError } from "../../../lib/errors/index.ts";
import { loadTarget } from "../../config/index.ts";
import {
  AWS_ABORT_FILE,
  EXPERIMENTS,
  EXPERIMENTS_ENV,
  experimentNames,
  FAILOVER_SUITE,
  isDemonstration,
  preferredNetwork,
  selectExperiments,
  unavailabilityText,
} from "../../failover/index.ts";
import { newSeed } from "../../nemesis/index.ts";
import { recordClusterState } from "../../probes/index.ts";
import { resolveTargetFile } from "../../providers/index.ts";
import { RunRecord, readFailoverSection } from "../../record/index.ts";
import { finishRun } from "../../run/finish-run.ts";
import { recordStackEvidence } from "../../run/stack-evidence.ts";
import { runSuite } from "../../run/suite-runner.ts";
import { type RunningStack, startStack } from "../../stack/index.ts";
import { paint, TaskList } from "../../ui/index.ts";
import { awsOptionSpec, awsOptionUsage, confirmExecution, printAwsPlan } from "../aws-execution.ts";
import { type Command, ExitCode } from "../command.ts";
import { optionalString, parseSeed } from "../options.ts";
import {
  fleetChoice,
  natsServerOption,
  networkChoice,
  nodesOption,
  providerOptions,
  refuseNatsVersionWithTarget,
  stackOptionSpec,
  stackOptionUsage,
} from "../stack-options.ts";

export const command: Command = {
  name: "chaos",
  summary: "run failover experiments on their own (one fault or all) and write a run record",
  usage: `Usage: gauntlet chaos <experiment|all> [--target FILE] [--seed S] [--runs-dir DIR] [--list] [stack options]

Runs failover experiments (the table in harness/failover/catalog.ts): workloads through the
gateway and against JetStream/KV while the fault is injected and healed, verdicts from
the checkers over the recorded history. Without --target: starts a local stack with
a network that can cut links (--network, default auto: kernel where it works; proxy for
slow-link alone, as the kernel network cannot delay), and a tmpfs per node store for disk-full
(as root), runs,
stops it. A target without a control API cannot be faulted: its
experiments end as errors that say so. Writes reports/runs/<run-id>/ (summary.json with
the failover section, junit.xml, history.jsonl, index.html, evidence/ with every node's
/jsz and /routez around each fault, and for a local stack stack.json and logs/ with every
nats-server's log). Recheck a run's verdicts
with 'gauntlet check <run-dir>'.
Exit 0 every experiment passed, 1 an experiment failed (or reported a finding), 2 the
harness could not run.

With all, an experiment whose fault the target cannot take is skipped, saying why.

Experiments: ${EXPERIMENTS.filter((entry) => !isDemonstration(entry))
    .map((entry) => entry.name)
    .join(", ")}, or all: every experiment a healthy system passes.
Demonstrations, which always report a finding, run only by name: ${EXPERIMENTS.filter(isDemonstration)
    .map((entry) => entry.name)
    .join(", ")}.

  --list               print the experiments the name selects (no name: every one) and exit; starts nothing
  --target FILE        run against that system instead of a local stack
  --seed S             seed for the nemesis's random picks (printed; default random)
  --runs-dir DIR       where run records go (default reports/runs)
${awsOptionUsage}
${stackOptionUsage}

A target with an aws section is faulted through AWS (EC2, SSM Run Command, ECS) behind the
safety levers: a dry run without --execute, the allow-list tags, the blast radius, the stop
alarms; every AWS call lands in the run record's aws-journal.jsonl.`,
  options: {
    ...stackOptionSpec,
    ...awsOptionSpec,
    target: { type: "string" },
    "runs-dir": { type: "string" },
    seed: { type: "string" },
    list: { type: "boolean" },
  },
  allowPositionals: true,
  async run(options, positionals, context) {
    const [wanted, ...extra] = positionals;
    if (options.list && !wanted) {
      for (const entry of EXPERIMENTS) context.stdout.write(`${entry.name}${isDemonstration(entry) ? " (demonstration)" : ""}\n`);
      return ExitCode.ok;
    }
    if (!wanted || extra.length > 0) throw new GauntletError(`chaos: name one experiment or all (known: ${experimentNames().join(", ")})`);
    const selected = selectExperiments([wanted], "chaos");
    if (options.list) {
      for (const entry of selected) context.stdout.write(`${entry.name}${isDemonstration(entry) ? " (demonstration)" : ""}\n`);
      return ExitCode.ok;
    }
    const experiments = selected.map((entry) => entry.name);
    const seed = parseSeed(optionalString(options.seed)) ?? newSeed();
    const targetFile = optionalString(options.target);
    const nodes = nodesOption(options);
    const target = targetFile ? await resolveTargetFile(targetFile) : undefined;
    refuseNatsVersionWithTarget(options, target);
    const startedAt = new Date();
    context.stderr.write(`chaos: ${wanted}, seed ${seed}\n`);
    if (target?.aws) {
      if (!options.execute) return printAwsPlan(target, experiments, seed, context);
      await confirmExecution(target, options, context);
      process.env.GAUNTLET_AWS_EXECUTE = "1";
    }
    const progress = new TaskList(context.stderr, { quietBelowMs: 0 });
    const nats = await natsServerOption(options, "chaos", progress, context.signal);
    let stack: RunningStack | undefined;
    try {
      if (!target) {
        stack = await startStack({
          ...providerOptions(options),
          ...(nats ? { natsServer: nats.binary, natsVersion: nats.version } : {}),
          nodes,
          fleet: fleetChoice(options),
          progress,
          signal: context.signal,
          network: networkChoice(options, preferredNetwork(experiments)),
          tls: Boolean(options.tls),
          syncAlways: Boolean(options["sync-always"]),
          diskFaults: Boolean(options["disk-faults"]) || experiments.includes("disk-full"),
        }).finally(() => progress.finish());
      }
      const system = target ?? (await loadTarget((stack as RunningStack).targetFile));
      const record = new RunRecord(optionalString(options["runs-dir"]) ?? join(context.repoRoot, "reports", "runs"));
      const before = await recordClusterState(system.nats.monitoring, system.expect.nodes);
      const suite = await runSuite({
        name: "failover",
        include: [FAILOVER_SUITE],
        repoRoot: context.repoRoot,
        env: {
          // `all` goes as it is: the suite then skips, saying why, what this target cannot take (a slow link on the kernel network).
          [EXPERIMENTS_ENV]: wanted === "all" ? "all" : experiments.join(","),
          GAUNTLET_TARGET: system.file,
          GAUNTLET_RUN_DIR: record.dir,
          GAUNTLET_SEED: String(seed),
          GAUNTLET_RUN_STARTED_AT: startedAt.toISOString(),
        },
        signal: context.signal,
      });
      const after = await recordClusterState(system.nats.monitoring, system.expect.nodes);
      if (stack) recordStackEvidence(record, stack);
      const failover = await readFailoverSection(record.dir);
      const abortFile = record.path(AWS_ABORT_FILE);
      const aborted = existsSync(abortFile) ? readFileSync(abortFile, "utf8").trim() : undefined;
      const suiteExit = suite.verdict === "pass" ? ExitCode.ok : suite.verdict === "fail" ? ExitCode.failed : ExitCode.cannotRun;
      const exitCode = aborted ? ExitCode.failed : suiteExit;
      const { reasons } = await finishRun(record, {
        startedAt,
        profile: `chaos ${wanted} seed ${seed}`,
        target: target ? { kind: "file", path: target.file, nodes: target.expect.nodes } : { kind: "local", nodes },
        suites: [suite],
        exitCode,
        cluster: { before, after },
        sections: failover ? { failover } : {},
        ...(nats ? { requestedNatsVersion: nats.version } : {}),
      });
      const out = context.stdout;
      out.write(`\nseed ${seed}\n`);
      for (const experiment of failover?.experiments ?? []) {
        const mark = experiment.verdict === "pass" ? paint(out, "green", "PASS") : paint(out, "red", experiment.verdict.toUpperCase());
        const gap =
          experiment.maxUnavailableMs === undefined
            ? ""
            : `, ${unavailabilityText("JetStream", experiment.maxUnavailableMs, experiment.resolution?.jetstream)}`;
        const { lost, duplicated, lostOnMinority = 0, unreadable = 0, redelivered, maxDeliveries = 0 } = experiment.checkers;
        const placed = `${lostOnMinority > 0 ? `, lost on a minority ${lostOnMinority}` : ""}${unreadable > 0 ? `, unreadable ${unreadable}` : ""}`;
        const consumer = `${redelivered !== undefined ? `, redelivered ${redelivered}` : ""}${maxDeliveries > 0 ? `, given up (MaxDeliver) ${maxDeliveries}` : ""}`;
        out.write(
          `${mark} ${experiment.name} (${experiment.fault}): lost ${lost}${placed}, duplicated ${duplicated}${consumer}${gap}${experiment.reason ? ` — ${experiment.reason}` : ""}\n`,
        );
        for (const warning of experiment.warnings ?? []) out.write(`  ${paint(out, "yellow", "warning")} ${warning}\n`);
      }
      for (const test of suite.tests.filter((candidate) => candidate.state === "skipped"))
        out.write(`${paint(out, "yellow", "SKIP")} ${test.fullName}${test.note ? ` — ${test.note}` : ""}\n`);
      if (aborted) out.write(`${paint(out, "red", "ABORTED")} — ${aborted}: every fault was healed at once\n`);
      const verdict = exitCode === ExitCode.ok ? paint(out, "green", "PASS") : paint(out, "red", aborted ? "ABORTED" : "FAIL");
      out.write(`\n${verdict} — run record ${record.dir} (open index.html; recheck: gauntlet check ${record.dir})\n`);
      for (const reason of reasons) out.write(`  ✖ ${reason}\n`);
      return exitCode;
    } finally {
      await stack?.stop();
    }
  },
};
