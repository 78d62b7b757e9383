import { GauntletError } from "../../lib/errors/index.ts";

/** A history entry a checker cannot interpret: names the entry and what is wrong with it. */
export class CheckerError extends GauntletError {
  override name = "CheckerError";

  static badValue(checker: string, index: number, f: string, problem: string): CheckerError {
    return new CheckerError(`${checker} checker: history entry ${index} (${f}): ${problem}`);
  }
}
