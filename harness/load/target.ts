import type { NatsAccess } from "../../lib/nats-options/index.ts";

/** What the load engine needs to know about the system under test (a subset of the target file). */
export interface LoadTarget {
  readonly nats?: NatsAccess & { readonly monitoring?: readonly string[] };
  /** `tls.ca`: a CA (PEM file) to trust for https URLs, besides the system's. */
  readonly gateway?: { readonly urls: readonly string[]; readonly tls?: { readonly ca: string } | undefined } | undefined;
  /** The service manifest describing the fleet behind the gateway (gateway scenarios). */
  readonly manifest?: string | undefined;
}

const ORIGIN = performance.timeOrigin;

/** Epoch milliseconds with sub-millisecond resolution, comparable across worker threads. */
export function nowMs(): number {
  return ORIGIN + performance.now();
}
