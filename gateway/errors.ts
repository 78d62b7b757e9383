import { GauntletError } from "../lib/errors/index.ts";

/** A gateway that cannot start: bad manifest, unreachable NATS, bad options. */
export class GatewayError extends GauntletError {
  override name = "GatewayError";

  static invalidManifest(file: string, field: string, problem: string): GatewayError {
    return new GatewayError(`${file}:${field}: ${problem}`);
  }

  static invalidOption(field: string, problem: string): GatewayError {
    return new GatewayError(`gateway option ${field}: ${problem}`);
  }

  static natsUnavailable(servers: string[], cause: unknown): GatewayError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new GatewayError(`gateway: cannot connect to NATS at ${servers.join(", ")}: ${reason}`, { cause });
  }
}
