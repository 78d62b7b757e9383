import { GauntletError } from "../../lib/errors/index.ts";

/** A load scenario, threshold or run that cannot go ahead; the message says what and where. */
export class LoadError extends GauntletError {
  override name = "LoadError";

  static invalidOption(file: string, field: string, problem: string): LoadError {
    return new LoadError(`${file}:${field}: ${problem}`);
  }

  static invalidThreshold(file: string, metric: string, expression: string, problem: string): LoadError {
    return new LoadError(`${file}:thresholds['${metric}']: '${expression}': ${problem}`);
  }

  static scenarioNotLoadable(file: string, cause: unknown): LoadError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new LoadError(`${file}: cannot load scenario module: ${reason}`, { cause });
  }

  static workerFailed(file: string, worker: number, cause: unknown): LoadError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new LoadError(`${file}: load worker ${worker} failed: ${reason}`, { cause });
  }

  static setupFailed(file: string, cause: unknown): LoadError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new LoadError(`${file}: setup failed: ${reason}`, { cause, exitCode: 1 });
  }

  static teardownFailed(file: string, cause: unknown): LoadError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new LoadError(`${file}: teardown failed: ${reason}`, { cause });
  }
}
