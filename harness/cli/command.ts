import type { ParseArgsConfig } from "node:util";

/** Exit codes, documented in the README: the contract with CI. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  cannotRun: 2,
  thresholdFailed: 99,
} as const;

export interface CommandContext {
  readonly repoRoot: string;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  /** Aborted on SIGINT/SIGTERM: long commands stop, clean up and return. */
  readonly signal: AbortSignal;
}

export type ParsedOptions = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One file in harness/cli/commands exports `command`; the CLI discovers it by its file. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig["options"]>;
  readonly allowPositionals?: boolean;
  run(options: ParsedOptions, positionals: string[], context: CommandContext): Promise<number>;
}
