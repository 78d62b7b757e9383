import { GauntletError } from "../../errors/index.ts";
import { listStacks, stopStack } from "../../providers/local/index.ts";
import { type Command, ExitCode } from "../command.ts";
import { optionalString } from "../options.ts";

export const command: Command = {
  name: "down",
  summary: "stop local stacks started by `gauntlet up`",
  usage: `Usage: gauntlet down [--stack ID]

Stops every running local stack (or only --stack ID) and waits until its processes are
gone and its run dir is removed.`,
  options: { stack: { type: "string" } },
  async run(options, _positionals, context) {
    const wanted = optionalString(options.stack);
    const stacks = listStacks().filter((stack) => wanted === undefined || stack.id === wanted);
    if (wanted !== undefined && stacks.length === 0) throw new GauntletError(`no running stack with id ${wanted}`);
    if (stacks.length === 0) {
      context.stdout.write("no local stack is running\n");
      return ExitCode.ok;
    }
    await Promise.all(stacks.map((stack) => stopStack(stack)));
    for (const stack of stacks) context.stdout.write(`stopped stack ${stack.id}\n`);
    return ExitCode.ok;
  },
};
