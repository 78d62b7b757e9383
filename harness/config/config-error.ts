import { GauntletError } from "../../lib/errors/index.ts";

/** Bad input in a file the user gave us; the message is `file:field: problem`. Exit code 2. */
export class ConfigError extends GauntletError {
  override name = "ConfigError";
  readonly file: string;
  readonly field: string;

  constructor(file: string, field: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${file}:${field}: ${problem}`, { ...options, exitCode: 2 });
    this.file = file;
    this.field = field;
  }

  static invalidField(file: string, field: string, problem: string): ConfigError {
    return new ConfigError(file, field, problem);
  }

  static unreadable(file: string, cause: unknown): ConfigError {
    const reason = (cause as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (cause as Error).message;
    return new ConfigError(file, "(file)", reason, { cause });
  }
}
