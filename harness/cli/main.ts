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

/**
 * The first signal aborts the command, which cleans up; a second one of the same source exits
 * at once. Signals come straight (kill, a terminal's Ctrl-C to the process group) or forwarded
 * as a message by the bootstrap wrapper, which got them too: a terminal's one Ctrl-C arrives both
 * ways, so the two are counted apart and one Ctrl-C never exits without cleaning up.
 */
function stopOnSignals(controller: AbortController): void {
  const received = { direct: 0, forwarded: 0 };
  const onSignal = (signal: string, source: keyof typeof received) => {
    received[source] += 1;
    if (received[source] > 1) {
      process.stderr.write(`\ngauntlet: second ${signal}, exiting now\n`);
      process.exit(130);
    }
    if (controller.signal.aborted) return;
    process.stderr.write(`\ngauntlet: ${signal} received, cleaning up…\n`);
    controller.abort(new GauntletError(`interrupted by ${signal}`, { exitCode: 130 }));
  };
  for (const signal of ["SIGINT", "SIGHUP", "SIGTERM"] as const) process.on(signal, () => onSignal(signal, "direct"));
  process.on("message", (message: { type?: unknown; signal?: unknown }) => {
    if (message?.type === "signal" && typeof message.signal === "string") onSignal(message.signal, "forwarded");
  });
  // The wrapper's channel must not keep the CLI alive once its command has returned.
  process.channel?.unref();
}

async function main(argv: string[]): Promise<number> {
  // Listening from the start: a signal forwarded while the command loads would otherwise be lost.
  const controller = new AbortController();
  stopOnSignals(controller);
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
  if (controller.signal.aborted) return 130;
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
