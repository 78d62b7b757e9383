import { GauntletError } from "../../lib/errors/index.ts";

export class MonitoringError extends GauntletError {
  override name = "MonitoringError";

  static unreachable(url: string, cause: unknown): MonitoringError {
    const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    return new MonitoringError(`${url} unreachable: ${reason}`, { cause, exitCode: 1 });
  }
}

/** GET a nats-server monitoring endpoint (`/varz`, `/routez`, `/jsz`) as JSON. */
export async function getMonitoring<T>(baseUrl: string, path: string, timeoutMs = 2_000): Promise<T> {
  const url = new URL(path, baseUrl).toString();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return (await response.json()) as T;
  } catch (error) {
    throw MonitoringError.unreachable(url, error);
  }
}
