import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsAccess, natsConnectionOptions } from "../../lib/nats-options/index.ts";
import { retry } from "../../lib/retry/index.ts";
import { getMonitoring } from "../probes/index.ts";
import { NemesisError } from "./target.ts";

interface ApiResponse {
  readonly error?: { readonly code?: number; readonly err_code?: number; readonly description?: string };
}

/** A connection for a fault that acts through JetStream's API (as `account`: the application's or the system's); closed after `act`. */
export async function withJetStreamApi<T>(access: NatsAccess, name: string, act: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connect({ ...natsConnectionOptions(access, { name: `gauntlet-nemesis-${name}` }), noRandomize: true });
  try {
    return await act(nc);
  } finally {
    await nc.close().catch(() => {});
  }
}

export interface JetStreamRequestOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal | undefined;
  /** JetStream error codes (`err_code`) that another attempt cannot change: thrown at once. */
  readonly giveUpOn?: readonly number[];
}

/** An error JetStream's API answered with (`err_code` names it). */
export class JetStreamApiError extends NemesisError {
  override name = "JetStreamApiError";
  readonly errCode: number;

  constructor(subject: string, error: NonNullable<ApiResponse["error"]>) {
    super(`${subject}: ${error.description ?? "error"} (err_code ${error.err_code ?? error.code})`);
    this.errCode = error.err_code ?? 0;
  }
}

/**
 * One JetStream API request, retried while JetStream elects (no responders, timeouts, errors
 * answered mid-election) until `timeoutMs`, except for the errors `giveUpOn` names.
 */
export function jetStreamRequest(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  options: JetStreamRequestOptions = {},
): Promise<Record<string, unknown>> {
  const giveUpOn = options.giveUpOn ?? [];
  return retry(
    async () => {
      const reply = await nc.request(subject, body === undefined ? "" : JSON.stringify(body), { timeout: 2_000 });
      const answer = reply.json<ApiResponse & Record<string, unknown>>();
      if (answer.error) throw new JetStreamApiError(subject, answer.error);
      return answer;
    },
    {
      what: subject,
      timeoutMs: options.timeoutMs ?? 20_000,
      intervalMs: 250,
      retryIf: (error) => !(error instanceof JetStreamApiError && giveUpOn.includes(error.errCode)),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
}

/** The `server_name` a node's monitoring port reports: a node's handle name need not be its server's. */
export async function serverNameOf(monitoringUrl: string): Promise<string> {
  const varz = await getMonitoring<{ server_name: string }>(monitoringUrl, "/varz", 2_000);
  return varz.server_name;
}
