import { GauntletError } from "../../lib/errors/index.ts";
import { type FieldProblem, formatFieldProblem } from "../../lib/field-problem/index.ts";

/** Bad input in a file the user gave us; the message is `file:field: problem (line N)`. Exit code 2. */
export class ConfigError extends GauntletError {
  override name = "ConfigError";
  readonly file: string;
  readonly field: string;

  constructor(file: string, field: string, problem: string, options: { cause?: unknown; line?: number | undefined } = {}) {
    super(formatFieldProblem({ file, field, problem, line: options.line }), { cause: options.cause, exitCode: 2 });
    this.file = file;
    this.field = field;
  }

  static fromProblem(problem: FieldProblem, cause?: unknown): ConfigError {
    return new ConfigError(problem.file, problem.field, problem.problem, { cause, line: problem.line });
  }
}
