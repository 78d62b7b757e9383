import { randomFillSync, randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE_ID = "0".repeat(32);
const ZERO_SPAN_ID = "0".repeat(16);
const TRACESTATE = /^[\x20-\x7e]{1,512}$/;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What the gateway forwards into NATS and echoes back to the HTTP client. */
export interface TraceContext {
  /** W3C traceparent of the gateway's own span: the caller's trace id (or a new one), a new span id. */
  traceparent: string;
  tracestate: string | undefined;
  requestId: string;
}

/**
 * W3C trace context for one request. A valid `traceparent` keeps its trace id and flags and
 * gets the gateway's span as parent; an absent or malformed one starts a new sampled trace
 * (and its `tracestate` is dropped, as the W3C spec requires). A malformed `x-request-id`
 * is replaced by a generated one.
 */
export function traceContextFrom(headers: IncomingHttpHeaders): TraceContext {
  const incoming = single(headers.traceparent);
  const match = incoming === undefined ? null : TRACEPARENT.exec(incoming);
  const traceId = match?.[1];
  const parentId = match?.[2];
  const valid = traceId !== undefined && parentId !== undefined && traceId !== ZERO_TRACE_ID && parentId !== ZERO_SPAN_ID;
  const spanId = randomHex(8);
  const tracestate = single(headers.tracestate);
  const requestId = single(headers["x-request-id"]);
  return {
    traceparent: valid ? `00-${traceId}-${spanId}-${match?.[3]}` : `00-${randomHex(16)}-${spanId}-01`,
    tracestate: valid && tracestate !== undefined && TRACESTATE.test(tracestate) ? tracestate : undefined,
    requestId: requestId !== undefined && REQUEST_ID.test(requestId) ? requestId : randomUUID(),
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;

/** `bytes` random bytes as hex, from a pool refilled 4 KiB at a time (one getrandom per ~170 requests). */
function randomHex(bytes: number): string {
  if (randomOffset + bytes > randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  randomOffset += bytes;
  return randomPool.toString("hex", randomOffset - bytes, randomOffset);
}
