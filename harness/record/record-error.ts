import { GauntletError } from "../../lib/errors/index.ts";
import { formatFieldProblem } from "../../lib/field-problem/index.ts";

/** A run record that cannot be read, found or written. */
export class RecordError extends GauntletError {
  override name = "RecordError";

  static invalidField(file: string, field: string, problem: string): RecordError {
    return new RecordError(formatFieldProblem({ file, field, problem }));
  }

  static unreadable(file: string, cause: unknown): RecordError {
    return new RecordError(`${file}: cannot read: ${(cause as Error).message ?? String(cause)}`, { cause });
  }

  static notJson(file: string, cause: unknown): RecordError {
    return new RecordError(`${file}: not valid JSON: ${(cause as Error).message ?? String(cause)}`, { cause });
  }

  static runNotFound(runsDir: string, id: string, known: string[]): RecordError {
    const hint = known.length > 0 ? `known runs: ${known.slice(-5).join(", ")}` : "no runs recorded yet: run 'gauntlet run' first";
    return new RecordError(`${runsDir}: no run '${id}' (${hint})`);
  }
}
