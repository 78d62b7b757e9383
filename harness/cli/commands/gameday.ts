import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import { GauntletError } from "../../../lib/errors/index.ts";
import { renderGameDayPage } from "../../../reports/index.ts";
import type { Target } from "../../config/index.ts";
import {
  describeJournalEvent,
  GameDayRun,
  listenForKeys,
  loadGameDay,
  openGameDayTarget,
  planGameDay,
  TerminalTimeline,
} from "../../gameday/index.ts";
import { newSeed } from "../../nemesis/index.ts";
import { GameDayJournal, HTML_FILE, JOURNAL_FILE, RunRecord } from "../../record/index.ts";
import { paint } from "../../ui/index.ts";
import { type Command, type CommandContext, ExitCode, type ParsedOptions } from "../command.ts";
import { optionalString, parseSeed } from "../options.ts";
import { resolveTarget } from "../target-option.ts";

const USAGE = `Usage: gauntlet gameday plan FILE [--target T] [--seed S] [--duration-scale X]
       gauntlet gameday run FILE [--target T] [--seed S] [--duration-scale X] [--yes] [--runs-dir DIR]
       gauntlet gameday replay RUN [--runs-dir DIR]

A game day (gameday/*.yaml): a steady-state hypothesis of NATS-aware probes with tolerances,
a method of steps (faults with selectors such as node: stream-leader:EVENTS, pauses, probes,
gateway load, manual steps), rollbacks, stop conditions, max_duration and a blast radius.
Without --target: the one local stack 'gauntlet up' runs.

  plan     resolve every selector against the live system, read every probe now, check the
           blast radius; print the plan. Changes nothing. Exit 0 ready, 1 a probe does not
           hold now, 2 a selector, fault or stop condition cannot be resolved.
  run      run it with a live timeline (keys: a abort, n note; Ctrl-C aborts): every fault is
           healed and the rollbacks run whatever happens. Writes reports/runs/<id>/journal.json
           and index.html (the game-day page). Exit 0 hypothesis held, 1 deviated, 2 could not
           run, 3 aborted (stop condition, max_duration, operator).
  replay   re-render a run's game-day page from its journal.json and print its timeline
           (RUN: a run id under --runs-dir, or a run directory).

  --target FILE          the system (a control-API stack, or an aws target)
  --seed S               seed for random picks (printed; default random)
  --duration-scale X     multiply pauses, fault durations and max_duration (e.g. 0.1 to rehearse)
  --yes                  skip the confirmation (non-local targets) and manual steps (CI)
  --runs-dir DIR         where run records go (default reports/runs)`;

function durationScale(options: ParsedOptions): number {
  const text = optionalString(options["duration-scale"]);
  if (text === undefined) return 1;
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale <= 0 || scale > 10)
    throw new GauntletError(`--duration-scale must be a number in (0, 10], got "${text}"`);
  return scale;
}

/** A target that is not a stack this machine's harness runs: AWS, or a control API off loopback. */
function isRemote(target: Target): boolean {
  return target.aws !== undefined || (target.control !== undefined && !/^https?:\/\/(127\.|localhost|\[::1\])/.test(target.control.url));
}

async function confirm(target: Target, title: string, options: ParsedOptions, context: CommandContext): Promise<void> {
  if (!isRemote(target) || options.yes) return;
  if (!process.stdin.isTTY)
    throw new GauntletError(`game day "${title}" against ${target.name} needs a confirmation: run it in a terminal, or pass --yes`);
  const prompt = createInterface({ input: process.stdin, output: context.stderr });
  try {
    const answer = (
      await prompt.question(`Game day "${title}" will inject faults into ${target.name}. Type the target's name to go on: `)
    ).trim();
    if (answer !== target.name) throw new GauntletError(`not confirmed ("${answer}" is not "${target.name}"): nothing was done`);
  } finally {
    prompt.close();
  }
}

async function plan(file: string, options: ParsedOptions, context: CommandContext): Promise<number> {
  const gameDay = await loadGameDay(file);
  const target = await resolveTarget(optionalString(options.target));
  const seed = parseSeed(optionalString(options.seed)) ?? newSeed();
  await using opened = await openGameDayTarget(target, { execute: false });
  const result = await planGameDay({ gameDay, target, opened, seed, durationScale: durationScale(options) });
  const out = context.stdout;
  out.write(`${paint(out, "bold", "PLAN")} (seed ${seed})\n${result.lines.join("\n")}\n`);
  for (const problem of result.problems) out.write(`${paint(out, "red", "✖")} ${file}:${problem}\n`);
  return result.problems.length > 0 ? ExitCode.cannotRun : result.notHolding > 0 ? ExitCode.failed : ExitCode.ok;
}

async function run(file: string, options: ParsedOptions, context: CommandContext): Promise<number> {
  const gameDay = await loadGameDay(file);
  const target = await resolveTarget(optionalString(options.target));
  const seed = parseSeed(optionalString(options.seed)) ?? newSeed();
  const scale = durationScale(options);
  await confirm(target, gameDay.title, options, context);
  const record = new RunRecord(optionalString(options["runs-dir"]) ?? join(context.repoRoot, "reports", "runs"));
  await using opened = await openGameDayTarget(target, { execute: true });
  const timeline = new TerminalTimeline(context.stdout);
  context.stdout.write(
    `game day ${paint(context.stdout, "bold", gameDay.title)} against ${target.name}, seed ${seed}${scale === 1 ? "" : `, durations ×${scale}`}\n`,
  );
  if (process.stdin.isTTY) context.stdout.write("keys: a abort (heal + rollbacks), n add a note, Ctrl-C abort\n");
  let gameDayRun: GameDayRun | undefined;
  using keys = listenForKeys(process.stdin, context.stdout, {
    abort: (reason) => gameDayRun?.abort(reason, "operator"),
    note: (text) => gameDayRun?.note(text),
  });
  gameDayRun = new GameDayRun({
    file,
    gameDay,
    target,
    opened,
    runId: record.id,
    seed,
    durationScale: scale,
    yes: Boolean(options.yes),
    prompt: (text) => keys.prompt(text),
    observer: timeline,
    signal: context.signal,
  });
  const journal = await gameDayRun.run();
  timeline.finish();
  record.writeJson(JOURNAL_FILE, journal);
  writeFileSync(record.path(HTML_FILE), renderGameDayPage(journal));
  const out = context.stdout;
  const word = {
    held: paint(out, "green", "HELD"),
    deviated: paint(out, "red", "DEVIATED"),
    "could-not-run": paint(out, "red", "COULD NOT RUN"),
    aborted: paint(out, "red", "ABORTED"),
  }[journal.verdict];
  out.write(`\n${word} — ${journal.reason}\nrun record ${record.dir} (journal.json, index.html; gauntlet gameday replay ${record.id})\n`);
  return journal.exitCode;
}

async function replay(id: string, options: ParsedOptions, context: CommandContext): Promise<number> {
  const runsDir = optionalString(options["runs-dir"]) ?? join(context.repoRoot, "reports", "runs");
  const dir = existsSync(id) ? id : join(runsDir, id);
  const file = join(dir, JOURNAL_FILE);
  let parsed: ReturnType<typeof GameDayJournal.safeParse>;
  try {
    parsed = GameDayJournal.safeParse(JSON.parse(readFileSync(file, "utf8")));
  } catch (error) {
    throw new GauntletError(
      `${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? `no game-day run here (no journal.json; RUN is a run id under ${runsDir} or a run directory)` : (error as Error).message}`,
      { cause: error },
    );
  }
  if (!parsed.success)
    throw new GauntletError(`${file}:${parsed.error.issues[0]?.path.join(".") ?? ""}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const journal = parsed.data;
  writeFileSync(join(dir, HTML_FILE), renderGameDayPage(journal));
  const timeline = new TerminalTimeline(context.stdout);
  context.stdout.write(`game day ${journal.title} against ${journal.target}, ${journal.startedAt}\n`);
  for (const event of journal.events) timeline.line(event.t, describeJournalEvent(event));
  context.stdout.write(
    `\n${journal.verdict.toUpperCase()} (exit ${journal.exitCode}) — ${journal.reason}\nre-rendered ${join(dir, HTML_FILE)}\n`,
  );
  return ExitCode.ok;
}

export const command: Command = {
  name: "gameday",
  summary: "plan, run and replay a chaos game day (steady-state hypothesis, method, rollbacks, journal)",
  usage: USAGE,
  options: {
    target: { type: "string" },
    seed: { type: "string" },
    "duration-scale": { type: "string" },
    yes: { type: "boolean" },
    "runs-dir": { type: "string" },
  },
  allowPositionals: true,
  async run(options, positionals, context) {
    const [action, subject, ...extra] = positionals;
    if (!action || !subject || extra.length > 0 || !["plan", "run", "replay"].includes(action))
      throw new GauntletError(`gameday: expected plan FILE, run FILE or replay RUN\n\n${USAGE}`);
    if (action === "plan") return plan(subject, options, context);
    if (action === "run") return run(subject, options, context);
    return replay(subject, options, context);
  },
};
