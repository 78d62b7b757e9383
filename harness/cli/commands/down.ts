import { GauntletError } from "../../../lib/errors/index.ts";
import { listStacks, stopStack } from "../../providers/local/index.ts";
import { type Command, ExitCode } from "../command.ts";
import { optionalString } from "../options.ts";

export const command: Command = {
  name: "down",
  summary: "stop local stacks (and AWS twins) started by `gauntlet up`",
  usage: `Usage: gauntlet down [--stack ID | --all]

Stops the running local stack or AWS twin (with several running: --stack ID, or --all)
and waits until its processes are gone and its run dir is removed.`,
  options: { stack: { type: "string" }, all: { type: "boolean" } },
  async run(options, _positionals, context) {
    const wanted = optionalString(options.stack);
    const running = listStacks();
    const stacks = running.filter((stack) => wanted === undefined || stack.id === wanted);
    if (wanted !== undefined && stacks.length === 0) throw new GauntletError(`no running stack with id ${wanted}`);
    if (wanted === undefined && !options.all && stacks.length > 1) {
      const list = stacks.map((stack) => `${stack.id} (pid ${stack.pid}, since ${stack.startedAt})`).join(", ");
      throw new GauntletError(`${stacks.length} stacks are running: ${list}; pass --stack ID or --all`);
    }
    if (stacks.length === 0) {
      context.stdout.write("no local stack is running\n");
      return ExitCode.ok;
    }
    await Promise.all(stacks.map((stack) => stopStack(stack)));
    for (const stack of stacks) context.stdout.write(`stopped stack ${stack.id}\n`);
    return ExitCode.ok;
  },
};
