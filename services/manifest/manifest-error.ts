import { GauntletError } from "../../lib/errors/index.ts";
import { type FieldProblem, formatFieldProblem } from "../../lib/field-problem/index.ts";

/** A manifest that cannot be used; the message is `file:field.path: problem (line N)`. */
export class ManifestError extends GauntletError {
  override name = "ManifestError";
  readonly file: string;
  readonly field: string;
  readonly problem: string;
  readonly line: number | undefined;

  constructor(file: string, field: string, problem: string, options: { line?: number; cause?: unknown } = {}) {
    super(formatFieldProblem({ file, field, problem, line: options.line }), { cause: options.cause, exitCode: 2 });
    this.file = file;
    this.field = field;
    this.problem = problem;
    this.line = options.line;
  }

  static fromProblem(problem: FieldProblem, cause?: unknown): ManifestError {
    return new ManifestError(problem.file, problem.field, problem.problem, {
      cause,
      ...(problem.line === undefined ? {} : { line: problem.line }),
    });
  }
}
