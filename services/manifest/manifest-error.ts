import { GauntletError } from "../../lib/errors/index.ts";

/** A manifest that cannot be used; the message is `file:field.path: problem`. */
export class ManifestError extends GauntletError {
  override name = "ManifestError";
  readonly file: string;
  readonly field: string;
  readonly problem: string;
  readonly line: number | undefined;

  constructor(file: string, field: string, problem: string, options: { line?: number; cause?: unknown } = {}) {
    const where = options.line === undefined ? "" : ` (line ${options.line})`;
    super(`${file}:${field}: ${problem}${where}`, { cause: options.cause, exitCode: 2 });
    this.file = file;
    this.field = field;
    this.problem = problem;
    this.line = options.line;
  }

  static invalidField(file: string, field: string, problem: string, line?: number): ManifestError {
    return new ManifestError(file, field, problem, line === undefined ? {} : { line });
  }

  static unreadable(file: string, cause: unknown): ManifestError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ManifestError(file, "(file)", `cannot read the manifest: ${reason}`, { cause });
  }
}
