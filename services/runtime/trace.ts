import { randomBytes } from "node:crypto";

/** A W3C trace context span: https://www.w3.org/TR/trace-context/#traceparent-header */
export interface Span {
  traceId: string;
  spanId: string;
  /** The caller's span, absent for the root of a trace. */
  parentId?: string;
  flags: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The span of a hop that received `traceparent` (or the root of a new trace when it is absent or malformed). */
export function serverSpan(traceparent: string | undefined): Span {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  const [, version, traceId, parentId, flags] = match ?? [];
  const valid = version !== "ff" && traceId && !/^0+$/.test(traceId) && parentId && !/^0+$/.test(parentId);
  if (!valid || !traceId || !parentId || !flags) return { traceId: randomHex(16), spanId: randomHex(8), flags: "01" };
  return { traceId, spanId: randomHex(8), parentId, flags };
}

export function formatTraceparent(span: Span): string {
  return `00-${span.traceId}-${span.spanId}-${span.flags}`;
}

export function parseTraceparent(traceparent: string | undefined): Span | undefined {
  const match = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  const [, , traceId, spanId, flags] = match ?? [];
  return traceId && spanId && flags ? { traceId, spanId, flags } : undefined;
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}
