import type { AddressInfo, Socket } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { GatewayError } from "./errors.ts";
import type { GatewayManifest } from "./gateway-manifest.ts";
import { GatewayMetrics } from "./metrics.ts";
import { ConnectionWatch, connectGateway, type GatewayCredentials } from "./nats-connection.ts";
import { encodedSize, forwardedHeaders } from "./nats-headers.ts";
import { EVENT_TYPE_RULE, eventSubject, RouteTable } from "./route-table.ts";
import { failureFromNatsError, failureFromServiceError, type GatewayFailure } from "./status-mapping.ts";
import { type TraceContext, traceContextFrom } from "./trace-context.ts";

export interface GatewayOptions {
  manifest: GatewayManifest;
  servers: string | string[];
  credentials?: GatewayCredentials;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Aborting stops the gateway as `stop()` does. */
  signal?: AbortSignal;
  /** How long `POST /v1/events/{stream}` waits for JetStream's ack. Default 5000. */
  eventsTimeoutMs?: number;
  /** On stop, how long `/readyz` answers 503 before the listener closes. Default 0. */
  drainDelayMs?: number;
}

export interface StartedGateway {
  readonly url: string;
  readonly port: number;
  /** Stops accepting, finishes in-flight requests, drains NATS. Idempotent. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

declare module "fastify" {
  interface FastifyRequest {
    trace: TraceContext;
    metricRoute: string;
  }
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,256}$/;
const MAX_ECHOED_TEXT = 120;
/** While disconnected nats.js would buffer the request until its timeout; answer at once instead. */
const NATS_DOWN: GatewayFailure = { status: 503, code: "unavailable", message: "NATS connection is down; the gateway is reconnecting" };

export async function startGateway(options: GatewayOptions): Promise<StartedGateway> {
  options.signal?.throwIfAborted();
  const routes = RouteTable.fromManifest(options.manifest);
  const servers = Array.isArray(options.servers) ? options.servers : [options.servers];
  if (servers.length === 0) throw GatewayError.invalidOption("servers", "at least one NATS server URL is required");
  const nc = await connectGateway(servers, options.credentials);
  const watch = new ConnectionWatch(nc);
  const state = { draining: false };
  const app = buildApp({ nc, routes, watch, state, metrics: new GatewayMetrics(), eventsTimeoutMs: options.eventsTimeoutMs ?? 5_000 });
  try {
    await app.listen({ port: options.port ?? 0, host: options.host ?? "127.0.0.1" });
  } catch (error) {
    await nc.close();
    throw GatewayError.invalidOption(
      "port",
      `cannot listen on ${options.host ?? "127.0.0.1"}:${options.port ?? 0}: ${(error as Error).message}`,
    );
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      options.signal?.removeEventListener("abort", onAbort);
      state.draining = true;
      if (options.drainDelayMs) await delay(options.drainDelayMs);
      await app.close();
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
      await watch.done;
    })();
    return stopping;
  };
  const onAbort = () => void stop();
  options.signal?.addEventListener("abort", onAbort, { once: true });

  return { url: `http://${host}:${address.port}`, port: address.port, stop, [Symbol.asyncDispose]: stop };
}

interface AppParts {
  nc: NatsConnection;
  routes: RouteTable;
  watch: ConnectionWatch;
  state: { draining: boolean };
  metrics: GatewayMetrics;
  eventsTimeoutMs: number;
}

function buildApp({ nc, routes, watch, state, metrics, eventsTimeoutMs }: AppParts): FastifyInstance {
  const maxPayload = () => nc.info?.max_payload ?? 1024 * 1024;
  const app = Fastify({
    logger: false,
    bodyLimit: maxPayload(),
    return503OnClosing: true,
    forceCloseConnections: "idle",
    clientErrorHandler,
    // Malformed percent-encoding (`%C0%AE`) fails before routing and hooks: answer in the same shape.
    frameworkErrors: (error, request, reply) => {
      request.trace = traceContextFrom(request.headers);
      reply.header("traceparent", request.trace.traceparent).header("x-request-id", request.trace.requestId);
      fail(reply, { status: 400, code: "bad_request", message: `request URL: ${clip(error.message)}` });
    },
  });

  app.decorateRequest("trace", null as unknown as TraceContext);
  app.decorateRequest("metricRoute", "");
  app.addHook("onRequest", (request, reply, done) => {
    request.trace = traceContextFrom(request.headers);
    reply.header("traceparent", request.trace.traceparent).header("x-request-id", request.trace.requestId);
    done();
  });
  // Requests in flight when draining starts must not leave keep-alive sockets that hold close() open.
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (state.draining) reply.header("connection", "close");
    done(null, payload);
  });
  app.addHook("onResponse", (request, reply, done) => {
    metrics.observe(request.metricRoute || request.routeOptions.url || "unmatched", reply.statusCode, reply.elapsedTime / 1000);
    done();
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

  app.setNotFoundHandler((request, reply) => {
    fail(reply, { status: 404, code: "not_found", message: `no route for ${request.method} ${clip(request.url)}` });
  });
  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413) {
      fail(reply, {
        status,
        code: "payload_too_large",
        message: `request body: larger than the NATS server's max_payload of ${maxPayload()} bytes`,
      });
    } else if (status >= 400 && status < 500) {
      fail(reply, { status, code: "bad_request", message: error.message });
    } else {
      process.stderr.write(`gateway: internal error: ${error.stack ?? error.message}\n`);
      fail(reply, { status: 500, code: "internal", message: "internal gateway error" });
    }
  });

  app.get("/healthz", (_request, reply) => {
    reply.send({ status: "alive" });
  });
  app.get("/readyz", (_request, reply) => {
    if (state.draining) return fail(reply, { status: 503, code: "not_ready", message: "gateway is draining" });
    if (!watch.connected) return fail(reply, { status: 503, code: "not_ready", message: NATS_DOWN.message });
    reply.send({ status: "ready" });
  });
  app.get("/metrics", (_request, reply) => {
    const text = metrics.render({ natsConnected: watch.connected, draining: state.draining, reconnects: watch.reconnects });
    reply.header("content-type", "text/plain; version=0.0.4; charset=utf-8").send(text);
  });

  const js = jetstream(nc);
  app.post("/v1/events/:stream", async (request, reply) => {
    const { stream: name } = request.params as { stream: string };
    const stream = routes.stream(name);
    if (!stream) return fail(reply, { status: 404, code: "not_found", message: `path segment {stream}: unknown stream "${clip(name)}"` });
    request.metricRoute = stream.label;
    const parsed = parseJson(request.body);
    if ("failure" in parsed) return fail(reply, parsed.failure);
    const type = (parsed.value as { type?: unknown } | null)?.type;
    if (typeof type !== "string") {
      return fail(reply, {
        status: 400,
        code: "bad_request",
        message: 'request body field "type": required string naming the event, e.g. "order.created"',
      });
    }
    const subject = eventSubject(stream, type);
    if (subject === undefined) {
      return fail(reply, {
        status: 400,
        code: "bad_request",
        message: `request body field "type": "${clip(type)}" must be ${EVENT_TYPE_RULE}`,
      });
    }
    const hdrs = forwardedHeaders(request.trace, request.headers);
    const rawKey = request.headers["idempotency-key"];
    const key = Array.isArray(rawKey) ? rawKey.join(",") : rawKey;
    if (key !== undefined) {
      if (!IDEMPOTENCY_KEY.test(key)) {
        return fail(reply, {
          status: 400,
          code: "bad_request",
          message: "header Idempotency-Key: must be 1 to 256 visible ASCII characters",
        });
      }
      hdrs.set("Nats-Msg-Id", key);
    }
    hdrs.set("Nats-Expected-Stream", stream.stream);
    if (parsed.bytes.byteLength + encodedSize(hdrs) > maxPayload()) return fail(reply, tooLarge(maxPayload()));
    if (!watch.connected) return fail(reply, NATS_DOWN);
    try {
      const ack = await js.publish(subject, parsed.bytes, { headers: hdrs, timeout: eventsTimeoutMs });
      reply.code(202).send({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate });
    } catch (error) {
      fail(reply, failureFromNatsError(error, subject, eventsTimeoutMs));
    }
  });

  app.post("/v1/:service/:endpoint", async (request, reply) => {
    const { service, endpoint } = request.params as { service: string; endpoint: string };
    const route = routes.endpoint(service, endpoint);
    if (!route) {
      const message = routes.hasService(service)
        ? `path segment {endpoint}: service "${service}" has no endpoint "${clip(endpoint)}"`
        : `path segment {service}: unknown service "${clip(service)}"`;
      return fail(reply, { status: 404, code: "not_found", message });
    }
    request.metricRoute = route.label;
    const parsed = parseJson(request.body);
    if ("failure" in parsed) return fail(reply, parsed.failure);
    const hdrs = forwardedHeaders(request.trace, request.headers);
    if (parsed.bytes.byteLength + encodedSize(hdrs) > maxPayload()) return fail(reply, tooLarge(maxPayload()));
    if (!watch.connected) return fail(reply, NATS_DOWN);
    try {
      const msg = await nc.request(route.subject, parsed.bytes, { timeout: route.timeoutMs, headers: hdrs });
      const serviceError = msg.headers?.get("Nats-Service-Error-Code") || msg.headers?.get("Nats-Service-Error");
      if (serviceError) {
        const codeHeader = msg.headers?.get("Nats-Service-Error-Code") ?? "";
        return fail(reply, failureFromServiceError(route.subject, codeHeader, msg.headers?.get("Nats-Service-Error") ?? ""));
      }
      reply
        .code(200)
        .header("content-type", msg.headers?.get("content-type") || "application/json")
        .send(Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength));
    } catch (error) {
      fail(reply, failureFromNatsError(error, route.subject, route.timeoutMs));
    }
  });

  return app;
}

function fail(reply: FastifyReply, failure: GatewayFailure): void {
  reply.code(failure.status).send({ error: { code: failure.code, message: failure.message, requestId: reply.request.trace?.requestId } });
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
  const [status, reason, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "request headers: larger than 16 KiB"]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "request: not received in time"]
        : [400, "Bad Request", `request: malformed HTTP (${error.code ?? error.message})`];
  const body = JSON.stringify({
    error: { code: status === 400 ? "bad_request" : status === 431 ? "headers_too_large" : "timeout", message },
  });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
