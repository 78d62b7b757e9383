import { GauntletError } from "../../lib/errors/index.ts";

/** The fleet could not be provisioned, started or stopped. */
export class FleetError extends GauntletError {
  override name = "FleetError";

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause, exitCode: 1 });
  }

  static notReady(timeoutMs: number, missing: string[]): FleetError {
    return new FleetError(`fleet not ready after ${timeoutMs}ms: ${missing.join(", ")}`);
  }

  static replicaExited(replica: string, code: number | null, signal: string | null, stderr: string): FleetError {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    return new FleetError(`replica ${replica} ${how}${stderr ? `:\n${stderr}` : ""}`);
  }
}
