import { GauntletError } from "../../../lib/errors/index.ts";

/** Something the AWS provider could not or would not do; refusals name the lever that refused. */
export class AwsError extends GauntletError {
  override name = "AwsError";

  static emulatorUnavailable(detail: string, cause?: unknown): AwsError {
    return new AwsError(`aws emulator: ${detail}`, { cause });
  }

  static callFailed(service: string, operation: string, cause: unknown): AwsError {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return new AwsError(`aws ${service}.${operation} failed: ${reason}`, { cause, exitCode: 1 });
  }

  static notFound(file: string, field: string, what: string): AwsError {
    return new AwsError(`${file}:${field}: ${what} not found`);
  }

  static nonLoopback(address: string, what: string): AwsError {
    return new AwsError(
      `aws: ${what} has address ${address}, outside 127.0.0.0/8; an emulator target (loopback endpoint) never contacts it`,
    );
  }

  static notAllowed(resource: string, allowTags: Readonly<Record<string, string>>): AwsError {
    const wanted = Object.entries(allowTags)
      .map(([key, value]) => `${key}=${value}`)
      .join(", ");
    return new AwsError(`aws safety: ${resource} does not carry the allow-list tags (${wanted}): refused before any call`);
  }

  static notConfirmed(detail: string): AwsError {
    return new AwsError(`aws safety: ${detail}`);
  }
}
