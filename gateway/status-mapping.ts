import { JetStreamApiError } from "@nats-io/jetstream";
import { errors } from "@nats-io/nats-core";

/** An HTTP error answer: `{ error: { code, message, requestId } }` with `status`. */
export interface GatewayFailure {
  status: number;
  code: string;
  message: string;
}

/**
 * Every status the gateway can answer with, and why (gateway/README.md has the same table).
 * The fuzz test holds the gateway to this list, minus 500.
 */
export const DOCUMENTED_STATUSES: Readonly<Record<number, string>> = {
  200: "endpoint replied without a service error; body is the service's reply",
  202: "event stored by JetStream: { stream, seq, duplicate }",
  400: "invalid JSON body, bad event type, bad Idempotency-Key, malformed URL, or a service error with code 400",
  403: "the gateway's NATS user may not publish to the endpoint's or stream's subject (permission violation)",
  404: "unknown route, service, endpoint or stream, or a service error with code 404",
  408: "request headers or body not received within Node's request timeout",
  409: "service error with code 409 (conflict)",
  413: "body larger than the NATS server's max_payload (headers included)",
  431: "request headers larger than Node's limit (16 KiB)",
  500: "a bug in the gateway itself",
  502: "service error with a code other than 400/404/409 (e.g. 500), or a JetStream API error",
  503: "no responders on the subject (or no stream bound to it), NATS disconnected, or the gateway is draining",
  504: "the endpoint did not reply within its manifest timeoutMs (events: the gateway's eventsTimeoutMs)",
};

/** Service error codes passed through as HTTP statuses; any other code becomes 502. */
const PASSED_THROUGH_SERVICE_CODES = new Set([400, 404, 409]);

const SERVICE_ERROR_NAMES: Readonly<Record<number, string>> = {
  400: "bad_request",
  404: "not_found",
  409: "conflict",
};

export function failureFromServiceError(subject: string, codeHeader: string, description: string): GatewayFailure {
  const code = Number.parseInt(codeHeader, 10);
  const detail = description || "(no description)";
  if (PASSED_THROUGH_SERVICE_CODES.has(code)) {
    return {
      status: code,
      code: SERVICE_ERROR_NAMES[code] ?? "service_error",
      message: `service on ${subject} answered ${code}: ${detail}`,
    };
  }
  return { status: 502, code: "service_error", message: `service on ${subject} failed with code ${codeHeader || "(none)"}: ${detail}` };
}

/** Nobody answered (no stream bound to the subject, or its replicas are electing a leader); walks the `cause` chain. */
export function isNoResponders(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause)
    if (current instanceof errors.NoRespondersError || (current instanceof errors.RequestError && current.isNoResponders())) return true;
  return false;
}

/** Classifies what a NATS request or JetStream publish threw; walks the `cause` chain. */
export function failureFromNatsError(error: unknown, subject: string, timeoutMs: number): GatewayFailure {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof errors.NoRespondersError || (current instanceof errors.RequestError && current.isNoResponders())) {
      return { status: 503, code: "no_responders", message: `no responders on ${subject}` };
    }
    if (current instanceof errors.TimeoutError) {
      return { status: 504, code: "timeout", message: `no reply on ${subject} within ${timeoutMs} ms` };
    }
    if (current instanceof errors.PermissionViolationError) {
      return { status: 403, code: "forbidden", message: `the gateway may not ${current.operation} to ${current.subject}` };
    }
    if (current instanceof errors.ClosedConnectionError || current instanceof errors.DrainingConnectionError) {
      return {
        status: 503,
        code: "unavailable",
        message: `NATS connection is ${current instanceof errors.ClosedConnectionError ? "closed" : "draining"}`,
      };
    }
    if (current instanceof JetStreamApiError) {
      return {
        status: 502,
        code: "jetstream_error",
        message: `JetStream rejected the publish to ${subject}: ${current.message} (err_code ${current.code})`,
      };
    }
  }
  const reason = error instanceof Error ? error.message : String(error);
  return { status: 502, code: "upstream_error", message: `request on ${subject} failed: ${reason}` };
}
