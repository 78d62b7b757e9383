import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { GauntletError } from "../../../lib/errors/index.ts";
import { judgeExperiment } from "../../checkers/index.ts";
import { unavailabilityText } from "../../failover/index.ts";
import { loadHistory, splitByExperiment } from "../../history/index.ts";
import { HISTORY_FILE, readFailoverSection } from "../../record/index.ts";
import { paint } from "../../ui/index.ts";
import { type Command, ExitCode } from "../command.ts";

export const command: Command = {
  name: "check",
  summary: "recompute every failover verdict from a run's saved history.jsonl",
  usage: `Usage: gauntlet check <run-dir | history.jsonl>

Loads the run's history.jsonl, splits it by experiment and runs the checkers again (queue,
KV register, availability, reconnection, steady state, dark fault windows): the verdicts are
pure functions of the history, so they must match what the run reported. Prints each
verdict and whether it matches failover.json when the run has one.
Exit 0 every experiment passes, 1 one fails, 2 the history cannot be read.`,
  options: {},
  allowPositionals: true,
  async run(_options, positionals, context) {
    const [path, ...extra] = positionals;
    if (!path || extra.length > 0) throw new GauntletError("check: give one run directory (or one history.jsonl)");
    if (!existsSync(path)) throw new GauntletError(`check: ${path}: no such file or directory`);
    const dir = statSync(path).isDirectory() ? path : undefined;
    const historyFile = dir ? join(dir, HISTORY_FILE) : path;
    if (!existsSync(historyFile))
      throw new GauntletError(`check: ${historyFile}: no history (run the failover suite or gauntlet chaos first)`);
    const experiments = splitByExperiment(await loadHistory(historyFile));
    if (experiments.size === 0) throw new GauntletError(`check: ${historyFile}: holds no failover experiment`);
    const recorded = (dir ? await readFailoverSection(dir) : undefined)?.experiments ?? [];
    const out = context.stdout;
    let failed = false;
    let mismatches = 0;
    for (const [name, history] of experiments) {
      const verdict = judgeExperiment(history);
      if (verdict.verdict !== "pass") failed = true;
      const before = recorded.find((experiment) => experiment.name === name);
      const same =
        before === undefined ? "" : before.verdict === verdict.verdict ? " (matches the run)" : ` (the run said ${before.verdict})`;
      if (before && before.verdict !== verdict.verdict) mismatches += 1;
      const mark = verdict.verdict === "pass" ? paint(out, "green", "PASS") : paint(out, "red", verdict.verdict.toUpperCase());
      out.write(
        `${mark} ${name} (${verdict.fault})${same}: ${history.length} entries, acknowledged ${verdict.counts.acknowledged}, lost ${verdict.counts.lost}${verdict.counts.lostOnMinority ? `, lost on a minority ${verdict.counts.lostOnMinority}` : ""}${verdict.counts.unreadable ? `, unreadable ${verdict.counts.unreadable}` : ""}, duplicated ${verdict.counts.duplicated}${verdict.counts.redelivered !== undefined ? `, redelivered ${verdict.counts.redelivered}` : ""}${verdict.counts.maxDeliveries ? `, given up (MaxDeliver) ${verdict.counts.maxDeliveries}` : ""}, stale reads ${verdict.counts.staleReads}; ${unavailabilityText("JetStream", verdict.maxUnavailableMs, verdict.resolution.jetstream)}, ${unavailabilityText("gateway", verdict.gatewayUnavailableMs, verdict.resolution.gateway)}\n`,
      );
      out.write(`    ${verdict.reason}\n`);
      for (const warning of verdict.warnings) out.write(`    ${paint(out, "yellow", "warning")} ${warning}\n`);
    }
    if (mismatches > 0) out.write(paint(out, "red", `${mismatches} verdicts differ from the recorded run\n`));
    return failed ? ExitCode.failed : ExitCode.ok;
  },
};
