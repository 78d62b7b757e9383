import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { GauntletError } from "../../lib/errors/index.ts";
import { type Command, ExitCode } from "./command.ts";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const commandsDir = join(dirname(fileURLToPath(import.meta.url)), "commands");

const commandNames = () =>
  readdirSync(commandsDir)
    .filter((file) => file.endsWith(".ts"))
    .map((file) => file.slice(0, -".ts".length));

/** Commands are files named after them in ./commands; only the one invoked is loaded. */
async function loadCommand(name: string): Promise<Command> {
  const { command } = (await import(join(commandsDir, `${name}.ts`))) as { command: Command };
  return command;
}

async function loadCommands(): Promise<Map<string, Command>> {
  const commands = await Promise.all(commandNames().map(loadCommand));
  return new Map(commands.map((command) => [command.name, command]));
}

function help(commands: Map<string, Command>): string {
  const width = Math.max(...[...commands.keys()].map((name) => name.length));
  const lines = [...commands.values()].sort((a, b) => a.name.localeCompare(b.name)).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: gauntlet <command> [options]\n\nCommands:\n${lines.join("\n")}\n\nRun 'gauntlet <command> --help' for a command's options.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(help(await loadCommands()));
    return name ? ExitCode.ok : ExitCode.cannotRun;
  }
  if (!commandNames().includes(name)) {
    process.stderr.write(`gauntlet: unknown command '${name}'\n\n${help(await loadCommands())}`);
    return ExitCode.cannotRun;
  }
  const command = await loadCommand(name);
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(`${command.usage}\n`);
    return ExitCode.ok;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: command.options, allowPositionals: command.allowPositionals ?? false, strict: true });
  } catch (error) {
    process.stderr.write(`gauntlet ${name}: ${(error as Error).message}\n\n${command.usage}\n`);
    return ExitCode.cannotRun;
  }
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`\ngauntlet: second ${signal}, exiting now\n`);
      process.exit(130);
    }
    process.stderr.write(`\ngauntlet: ${signal} received, cleaning up…\n`);
    controller.abort(new GauntletError(`interrupted by ${signal}`, { exitCode: 130 }));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const context = { repoRoot, stdout: process.stdout, stderr: process.stderr, signal: controller.signal };
  try {
    return await command.run(parsed.values, parsed.positionals, context);
  } catch (error) {
    if (error instanceof GauntletError) {
      process.stderr.write(`gauntlet ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
