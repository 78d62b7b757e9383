import { GauntletError } from "../../lib/errors/index.ts";

export class MonitoringError extends GauntletError {
  override name = "MonitoringError";

  static unreachable(url: string, cause: unknown): MonitoringError {
    const reason = cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
    return new MonitoringError(`${url} unreachable: ${reason}`, { cause, exitCode: 1 });
  }
}

/**
 * Answers 200 once the server runs, with JetStream started when configured (503 before; nats-server
 * ≥ 2.10). A readiness probe of a server that may still be starting asks this, not /varz:
 * nats-server fills /varz's JetStream section in on the first /varz only, so a /varz asked before
 * JetStream started says "no JetStream" for the server's whole life (to anyone's monitoring).
 */
export const JETSTREAM_READY_PATH = "/healthz?js-enabled-only=true";

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
