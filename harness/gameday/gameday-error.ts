import { GauntletError } from "../../lib/errors/index.ts";
import { type FieldProblem, formatFieldProblem } from "../../lib/field-problem/index.ts";

/** A game day that cannot be loaded, planned or run; bad input reads `file:field: problem (line N)`. Exit code 2. */
export class GameDayError extends GauntletError {
  override name = "GameDayError";

  static fromProblem(problem: FieldProblem, cause?: unknown): GameDayError {
    return new GameDayError(formatFieldProblem(problem), { cause });
  }
}
