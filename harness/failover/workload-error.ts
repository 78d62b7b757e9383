import { GauntletError } from "../../lib/errors/index.ts";

/** An experiment's workloads could not start, died, or failed (a processor that keeps failing, a workload process that exited). */
export class WorkloadError extends GauntletError {
  override name = "WorkloadError";

  /** An error thrown in the workload process, rebuilt on this side (its name, message and stack kept). */
  static thrown(error: ThrownError): WorkloadError {
    const rebuilt = new WorkloadError(`${error.name}: ${error.message}`);
    if (error.stack) rebuilt.stack = error.stack;
    return rebuilt;
  }

  static processDied(detail: string, cause?: unknown): WorkloadError {
    return new WorkloadError(`failover workloads: the workload process ${detail}`, { cause });
  }
}

/** An error as it crosses between processes. */
export interface ThrownError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string | undefined;
}

export function asThrown(error: unknown): ThrownError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: "Error", message: String(error) };
}
