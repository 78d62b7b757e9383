import { GauntletError } from "../../lib/errors/index.ts";

/** A history file that cannot be read back: names the file and, when it can, the line. */
export class HistoryError extends GauntletError {
  override name = "HistoryError";

  static corruptLine(file: string, line: number, problem: string): HistoryError {
    return new HistoryError(`${file}:${line}: ${problem}`);
  }

  static unreadable(file: string, cause: unknown): HistoryError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new HistoryError(`${file}: cannot read history: ${reason}`, { cause });
  }

  static closed(): HistoryError {
    return new HistoryError("history recorder is closed: no more entries can be recorded");
  }
}
