import { createInterface } from "node:readline/promises";
import { GauntletError } from "../../lib/errors/index.ts";
import { readTargetFile, type Target } from "../config/index.ts";
import { paint } from "../ui/index.ts";
import type { CommandContext, ParsedOptions } from "./command.ts";

export const awsOptionSpec = {
  execute: { type: "boolean" },
  yes: { type: "boolean" },
} as const;

export const awsOptionUsage = `  --execute            aws target: make the mutating AWS calls (default: a dry run that prints the plan)
  --yes                with --execute, skip the confirmation (CI)`;

/**
 * A dry run of experiments against an aws target: each experiment's AWS calls (resource id,
 * name, tags, API call) planned with the same seed, none made. Returns the exit code.
 */
export async function printAwsPlan(target: Target, experiments: readonly string[], seed: number, context: CommandContext): Promise<number> {
  const { AwsFaults, describePlannedCall, openAwsTarget } = await import("../providers/aws/index.ts");
  const { planExperiment } = await import("./plan-aws-experiment.ts");
  using aws = await openAwsTarget(target.file, await readTargetFile(target.file));
  const out = context.stdout;
  out.write(
    `${paint(out, "bold", "DRY RUN")} against ${target.name} (${aws.system.region}${aws.system.accountId ? `, account ${aws.system.accountId}` : ""}): no mutating AWS call is made; --execute makes them.\n`,
  );
  let refused = 0;
  for (const experiment of experiments) {
    const plan = await planExperiment(new AwsFaults(aws), experiment, seed);
    out.write(`\n${experiment}:\n`);
    for (const call of plan.calls) out.write(`  ${describePlannedCall(call)}\n`);
    if (plan.problem) {
      refused += /refused/.test(plan.problem) ? 1 : 0;
      out.write(`  ${paint(out, "yellow", "!")} ${plan.problem}\n`);
    }
  }
  const mutating = aws.clients.journal.mutatingCalls.length;
  out.write(`\n${aws.clients.journal.entries.length} read-only AWS calls made, ${mutating} mutating.\n`);
  return refused > 0 ? 1 : 0;
}

/** `--execute` against production: the operator types the account id or the target's name, unless `--yes`. */
export async function confirmExecution(target: Target, options: ParsedOptions, context: CommandContext): Promise<void> {
  if (options.yes) return;
  if (!process.stdin.isTTY)
    throw new GauntletError(`--execute against ${target.name} needs a confirmation: run it in a terminal, or pass --yes (CI)`);
  const prompt = createInterface({ input: process.stdin, output: context.stderr });
  try {
    const answer = (
      await prompt.question(`Faults will be injected into ${target.name} through AWS. Type the target's name to go on: `)
    ).trim();
    if (answer !== target.name) throw new GauntletError(`not confirmed ("${answer}" is not "${target.name}"): nothing was done`);
  } finally {
    prompt.close();
  }
}
