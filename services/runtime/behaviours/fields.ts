import { retry } from "../../../lib/retry/index.ts";
import { ServiceFault } from "../service-fault.ts";

/** Readers for request bodies that answer 400 naming the field and the problem. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw ServiceFault.badRequest("request body must be a JSON object");
  return body as Record<string, unknown>;
}

export function stringField(body: Record<string, unknown>, field: string, pattern?: RegExp): string {
  const value = body[field];
  if (typeof value !== "string" || value.length === 0) throw ServiceFault.badRequest(`${field}: expected a non-empty string`);
  if (pattern && !pattern.test(value)) throw ServiceFault.badRequest(`${field}: ${JSON.stringify(value)} does not match ${pattern}`);
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string, pattern?: RegExp): string | undefined {
  return body[field] === undefined ? undefined : stringField(body, field, pattern);
}

export function optionalInteger(body: Record<string, unknown>, field: string, min: number, max: number): number | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw ServiceFault.badRequest(`${field}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

export function integerField(body: Record<string, unknown>, field: string, min: number, max: number): number {
  const value = optionalInteger(body, field, min, max);
  if (value === undefined) throw ServiceFault.badRequest(`${field}: required`);
  return value;
}

/** A JetStream KV key: letters, digits and -/_=. (not starting or ending with a dot). */
export const KV_KEY = /^[-/_=a-zA-Z0-9]+(?:\.[-/_=a-zA-Z0-9]+)*$/;

/** Optimistic-concurrency failures of KV create/update (wrong last sequence, key exists). */
export function isRevisionConflict(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === 10071 || code === 10164 || /wrong last sequence|key exists/i.test((error as Error)?.message ?? "");
}

/**
 * Retry work that fails while a just-created stream elects its leader (no responders, "jetstream
 * is not enabled", timeouts): about 6 s in all, then a RetryError carrying the last one.
 */
export function retryWhileElecting<T>(work: () => Promise<T>): Promise<T> {
  return retry(work, {
    what: "JetStream to answer while its leader is elected",
    attempts: 12,
    intervalMs: (attempt) => Math.min(100 * attempt, 1_000),
    retryIf: isTransient,
  });
}

/** Errors a JetStream client sees while a leader is being elected or a peer is down. */
export function isTransient(error: unknown): boolean {
  return /no responders|not enabled|timeout|timed out|leader|unavailable/i.test((error as Error)?.message ?? "");
}
