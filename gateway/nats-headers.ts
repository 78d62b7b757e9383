import type { IncomingHttpHeaders } from "node:http";
import { type MsgHdrs, headers as natsHeaders } from "@nats-io/nats-core";
import type { TraceContext } from "./trace-context.ts";

/**
 * The only HTTP headers that reach NATS. Everything else a client sends — `Nats-*`
 * (`Nats-Msg-Id`, `Nats-Expected-*`, ...), `Authorization`, cookies — is dropped here.
 * `Idempotency-Key` is not forwarded as such: the events route turns it into `Nats-Msg-Id`.
 */
export const FORWARDED_HEADERS = ["traceparent", "tracestate", "x-request-id", "content-type"] as const;

const CONTENT_TYPE = /^[\x20-\x7e]{1,128}$/;

export function forwardedHeaders(trace: TraceContext, incoming: IncomingHttpHeaders): MsgHdrs {
  const out = natsHeaders();
  out.set("traceparent", trace.traceparent);
  if (trace.tracestate !== undefined) out.set("tracestate", trace.tracestate);
  out.set("x-request-id", trace.requestId);
  const contentType = incoming["content-type"];
  if (contentType !== undefined && CONTENT_TYPE.test(contentType)) out.set("content-type", contentType);
  return out;
}

/** Bytes the headers take on the wire, counted against the server's `max_payload`. */
export function encodedSize(hdrs: MsgHdrs): number {
  let size = "NATS/1.0\r\n\r\n".length;
  for (const [name, values] of hdrs) {
    for (const value of values) size += name.length + value.length + 4;
  }
  return size;
}
