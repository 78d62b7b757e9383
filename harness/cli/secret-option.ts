import { readFileSync } from "node:fs";
import { GauntletError } from "../../lib/errors/index.ts";
import type { ParsedOptions } from "./command.ts";

/** Where a command takes a secret from: a file named by `fileFlag`, or the environment variable `env`. */
export interface SecretSource {
  /** The option that would put the secret itself on the command line: refused. */
  readonly refusedFlag: string;
  readonly fileFlag: string;
  readonly env: string;
}

export class SecretOptionError extends GauntletError {
  override name = "SecretOptionError";

  static onCommandLine(source: SecretSource): SecretOptionError {
    return new SecretOptionError(
      `${source.refusedFlag} would put the secret on the command line, where ps and /proc show it to every local user: set ${source.env} or give ${source.fileFlag} FILE`,
    );
  }

  static unreadable(source: SecretSource, file: string, cause: unknown): SecretOptionError {
    return new SecretOptionError(`${source.fileFlag} ${file}: ${(cause as Error).message}`, { cause });
  }

  static empty(source: SecretSource, file: string): SecretOptionError {
    return new SecretOptionError(`${source.fileFlag} ${file}: the file is empty`);
  }
}

/** The secret from `fileFlag`'s file (without its trailing newline), else from `env`; undefined when neither is given. */
export function readSecret(options: ParsedOptions, source: SecretSource): string | undefined {
  const key = (flag: string) => flag.replace(/^--/, "");
  if (options[key(source.refusedFlag)] !== undefined) throw SecretOptionError.onCommandLine(source);
  const file = options[key(source.fileFlag)];
  if (typeof file !== "string") return process.env[source.env] || undefined;
  let secret: string;
  try {
    secret = readFileSync(file, "utf8").trim();
  } catch (error) {
    throw SecretOptionError.unreadable(source, file, error);
  }
  if (!secret) throw SecretOptionError.empty(source, file);
  return secret;
}
