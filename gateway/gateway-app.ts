import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { GatewayMetrics } from "./metrics.ts";
import type { ConnectionWatch } from "./nats-connection.ts";
import { encodedSize, forwardedHeaders } from "./nats-headers.ts";
import { EVENT_TYPE_RULE, eventSubject, type RouteTable } from "./route-table.ts";
import { failureFromNatsError, failureFromServiceError, type GatewayFailure, isNoResponders } from "./status-mapping.ts";
import { type TraceContext, traceContextFrom } from "./trace-context.ts";

/** Refused bodies up to this size are read and discarded so the client gets its 413; larger ones are cut off. */
const LINGER_MAX_BYTES = 64 * 1024 * 1024;

export interface GatewayAppParts {
  nc: NatsConnection;
  routes: RouteTable;
  watch: ConnectionWatch;
  state: { draining: boolean };
  metrics: GatewayMetrics;
  eventsTimeoutMs: number;
  /** Serve HTTPS with this certificate and key (PEM). */
  https?: { cert: Buffer; key: Buffer };
}

declare module "fastify" {
  interface FastifyRequest {
    trace: TraceContext | null;
    metricRoute: string;
    /** `performance.now()` when the request arrived; 0 when it failed before routing. */
    startedAt: number;
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,256}$/;
const MAX_ECHOED_TEXT = 120;
/** While disconnected nats.js would buffer the request until its timeout; answer at once instead. */
const NATS_DOWN: GatewayFailure = { status: 503, code: "unavailable", message: "NATS connection is down; the gateway is reconnecting" };

/**
 * The gateway's fastify app. One cheap hook (arrival time); every answer goes through `respond`
 * (or, for a successful endpoint reply, the same steps written out), which sets the trace
 * headers, closes keep-alive while draining and counts the request.
 */
export function buildGatewayApp({ nc, routes, watch, state, metrics, eventsTimeoutMs, https }: GatewayAppParts): FastifyInstance {
  const maxPayload = () => nc.info?.max_payload ?? 1024 * 1024;

  const traceOf = (request: FastifyRequest): TraceContext => {
    request.trace ??= traceContextFrom(request.headers);
    return request.trace;
  };
  const respond = (request: FastifyRequest, reply: FastifyReply, status: number, body: unknown): void => {
    const trace = traceOf(request);
    reply.header("traceparent", trace.traceparent).header("x-request-id", trace.requestId);
    // Requests in flight when draining starts must not leave keep-alive sockets that hold close() open.
    if (state.draining) reply.header("connection", "close");
    metrics.observe(request.metricRoute || request.routeOptions.url || "unmatched", status, secondsSince(request.startedAt));
    reply.code(status).send(body);
  };
  const fail = (request: FastifyRequest, reply: FastifyReply, failure: GatewayFailure): void => {
    const { requestId } = traceOf(request);
    respond(request, reply, failure.status, { error: { code: failure.code, message: failure.message, requestId } });
  };

  const app = Fastify({
    ...(https ? { https } : {}),
    logger: false,
    bodyLimit: maxPayload(),
    return503OnClosing: true,
    forceCloseConnections: "idle",
    clientErrorHandler,
    // Malformed percent-encoding (`%C0%AE`) fails before routing: answer in the same shape.
    frameworkErrors: (error, request, reply) => {
      fail(request, reply, { status: 400, code: "bad_request", message: `request URL: ${clip(error.message)}` });
    },
  });
  app.decorateRequest("trace", null);
  app.decorateRequest("metricRoute", "");
  app.decorateRequest("startedAt", 0);
  // The one hook: fastify keeps no arrival time unless it logs or has onResponse hooks.
  app.addHook("onRequest", (request, _reply, done) => {
    request.startedAt = performance.now();
    done();
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.setNotFoundHandler((request, reply) => {
    fail(request, reply, { status: 404, code: "not_found", message: `no route for ${request.method} ${clip(request.url)}` });
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) {
      // fastify answers a too-large Content-Length with `Connection: close` while the client is still
      // uploading: the unread body makes the kernel reset the socket and the client may never see the
      // 413. Keeping the connection lets Node read and discard the body first (a lingering close).
      if (Number(request.headers["content-length"]) <= LINGER_MAX_BYTES) reply.removeHeader("connection");
      fail(request, reply, {
        status,
        code: "payload_too_large",
        message: `request body: larger than the NATS server's max_payload of ${maxPayload()} bytes`,
      });
    } else if (status >= 400 && status < 500) {
      fail(request, reply, { status, code: "bad_request", message: error.message });
    } else {
      process.stderr.write(`gateway: internal error: ${error.stack ?? error.message}\n`);
      fail(request, reply, { status: 500, code: "internal", message: "internal gateway error" });
    }
  });

  app.get("/healthz", (request, reply) => {
    respond(request, reply, 200, { status: "alive" });
  });
  app.get("/readyz", (request, reply) => {
    if (state.draining) return fail(request, reply, { status: 503, code: "not_ready", message: "gateway is draining" });
    if (!watch.connected) return fail(request, reply, { status: 503, code: "not_ready", message: NATS_DOWN.message });
    respond(request, reply, 200, { status: "ready" });
  });
  app.get("/metrics", (request, reply) => {
    reply.header("content-type", "text/plain; version=0.0.4; charset=utf-8");
    respond(
      request,
      reply,
      200,
      metrics.render({ natsConnected: watch.connected, draining: state.draining, reconnects: watch.reconnects }),
    );
  });

  const js = jetstream(nc);
  app.post("/v1/events/:stream", async (request, reply) => {
    const trace = traceOf(request);
    const { stream: name } = request.params as { stream: string };
    const stream = routes.stream(name);
    if (!stream)
      return fail(request, reply, { status: 404, code: "not_found", message: `path segment {stream}: unknown stream "${clip(name)}"` });
    request.metricRoute = stream.label;
    const parsed = parseJson(request.body);
    if ("failure" in parsed) return fail(request, reply, parsed.failure);
    const type = (parsed.value as { type?: unknown } | null)?.type;
    if (typeof type !== "string") {
      return fail(request, reply, {
        status: 400,
        code: "bad_request",
        message: 'request body field "type": required string naming the event, e.g. "order.created"',
      });
    }
    const subject = eventSubject(stream, type);
    if (subject === undefined) {
      return fail(request, reply, {
        status: 400,
        code: "bad_request",
        message: `request body field "type": "${clip(type)}" must be ${EVENT_TYPE_RULE}`,
      });
    }
    const hdrs = forwardedHeaders(trace, request.headers);
    const rawKey = request.headers["idempotency-key"];
    const key = Array.isArray(rawKey) ? rawKey.join(",") : rawKey;
    if (key !== undefined) {
      if (!IDEMPOTENCY_KEY.test(key)) {
        return fail(request, reply, {
          status: 400,
          code: "bad_request",
          message: "header Idempotency-Key: must be 1 to 256 visible ASCII characters",
        });
      }
      hdrs.set("Nats-Msg-Id", key);
    }
    hdrs.set("Nats-Expected-Stream", stream.stream);
    if (parsed.bytes.byteLength + encodedSize(hdrs) > maxPayload()) return fail(request, reply, tooLarge(maxPayload()));
    if (!watch.connected) return fail(request, reply, NATS_DOWN);
    // While a stream's replicas elect a leader nobody answers the publish, and nothing was stored:
    // trying again until the ack deadline turns an election into latency instead of a 503.
    const deadline = performance.now() + eventsTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const timeout = Math.max(1, Math.round(deadline - performance.now()));
        const ack = await js.publish(subject, parsed.bytes, { headers: hdrs, timeout });
        respond(request, reply, 202, { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate });
        return;
      } catch (error) {
        const wait = Math.min(500, 25 * 2 ** attempt);
        if (!isNoResponders(error) || performance.now() + wait >= deadline || !watch.connected) {
          fail(request, reply, failureFromNatsError(error, subject, eventsTimeoutMs));
          return;
        }
        await sleep(wait);
      }
    }
  });

  app.post("/v1/:service/:endpoint", async (request, reply) => {
    const trace = traceOf(request);
    const { service, endpoint } = request.params as { service: string; endpoint: string };
    const route = routes.endpoint(service, endpoint);
    if (!route) {
      const message = routes.hasService(service)
        ? `path segment {endpoint}: service "${service}" has no endpoint "${clip(endpoint)}"`
        : `path segment {service}: unknown service "${clip(service)}"`;
      return fail(request, reply, { status: 404, code: "not_found", message });
    }
    request.metricRoute = route.label;
    const parsed = parseJson(request.body);
    if ("failure" in parsed) return fail(request, reply, parsed.failure);
    const hdrs = forwardedHeaders(trace, request.headers);
    if (parsed.bytes.byteLength + encodedSize(hdrs) > maxPayload()) return fail(request, reply, tooLarge(maxPayload()));
    if (!watch.connected) return fail(request, reply, NATS_DOWN);
    try {
      const msg = await nc.request(route.subject, parsed.bytes, { timeout: route.timeoutMs, headers: hdrs });
      const errorCode = msg.headers?.get("Nats-Service-Error-Code");
      const errorText = msg.headers?.get("Nats-Service-Error");
      if (errorCode || errorText) return fail(request, reply, failureFromServiceError(route.subject, errorCode ?? "", errorText ?? ""));
      // The hot path writes the reply itself: fastify's send machinery costs ~6 µs CPU per request.
      metrics.observe(route.label, 200, secondsSince(request.startedAt));
      reply.hijack();
      const headers: Record<string, string | number> = {
        "content-type": msg.headers?.get("content-type") || "application/json",
        "content-length": msg.data.byteLength,
        traceparent: trace.traceparent,
        "x-request-id": trace.requestId,
      };
      if (state.draining) headers.connection = "close";
      reply.raw.writeHead(200, headers).end(msg.data);
    } catch (error) {
      fail(request, reply, failureFromNatsError(error, route.subject, route.timeoutMs));
    }
  });

  return app;
}

function secondsSince(startedAt: number): number {
  return startedAt === 0 ? 0 : (performance.now() - startedAt) / 1000;
}

function tooLarge(maxPayload: number): GatewayFailure {
  return {
    status: 413,
    code: "payload_too_large",
    message: `request body: with headers, larger than the NATS server's max_payload of ${maxPayload} bytes`,
  };
}

type ParsedBody = { bytes: Buffer; value: unknown } | { failure: GatewayFailure };

function parseJson(body: FastifyRequest["body"]): ParsedBody {
  if (!Buffer.isBuffer(body) || body.byteLength === 0) {
    return { failure: { status: 400, code: "invalid_json", message: "request body: expected a JSON document, got an empty body" } };
  }
  try {
    return { bytes: body, value: JSON.parse(body.toString("utf8")) };
  } catch (error) {
    return { failure: { status: 400, code: "invalid_json", message: `request body: invalid JSON: ${(error as Error).message}` } };
  }
}

function clip(text: string): string {
  return text.length > MAX_ECHOED_TEXT ? `${text.slice(0, MAX_ECHOED_TEXT)}…` : text;
}

/** Answers what Node's HTTP parser rejects (oversized headers, malformed request lines) in the gateway's JSON shape. */
function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "headers_too_large", "request headers: larger than 16 KiB"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "request_timeout", "request: not received in time"]
        : [400, "Bad Request", "bad_request", `request: malformed HTTP (${error.code ?? error.message})`];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
