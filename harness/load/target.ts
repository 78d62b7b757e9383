/** What the load engine needs to know about the system under test (a subset of the target file). */
export interface LoadTarget {
  nats?: { servers: string[]; monitoring?: string[]; user?: string; pass?: string; token?: string };
  gateway?: { urls: string[] };
}

/** Epoch milliseconds with sub-millisecond resolution, comparable across worker threads. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
