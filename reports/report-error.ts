import { GauntletError } from "../lib/errors/index.ts";

/** A run record that cannot be read, found or written. */
export class ReportError extends GauntletError {
  override name = "ReportError";

  static invalidField(file: string, field: string, problem: string): ReportError {
    return new ReportError(`${file}:${field}: ${problem}`);
  }

  static unreadable(file: string, cause: unknown): ReportError {
    return new ReportError(`${file}: cannot read: ${(cause as Error).message ?? String(cause)}`, { cause });
  }

  static notJson(file: string, cause: unknown): ReportError {
    return new ReportError(`${file}: not valid JSON: ${(cause as Error).message ?? String(cause)}`, { cause });
  }

  static runNotFound(runsDir: string, id: string, known: string[]): ReportError {
    const hint = known.length > 0 ? `known runs: ${known.slice(-5).join(", ")}` : "no runs recorded yet: run 'gauntlet run' first";
    return new ReportError(`${runsDir}: no run '${id}' (${hint})`);
  }
}
