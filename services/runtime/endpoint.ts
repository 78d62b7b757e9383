import type { Service, ServiceMsg } from "@nats-io/services";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import type { ManifestEndpoint, ServiceProfile } from "../manifest/types.ts";
import { isTransient } from "./behaviours/fields.ts";
import { callDownstream, type DownstreamAnswer } from "./downstream.ts";
import type { InFlight } from "./in-flight.ts";
import type { DownstreamTarget } from "./replica-spec.ts";
import { ServiceFault } from "./service-fault.ts";
import { formatTraceparent, type Span, serverSpan } from "./trace.ts";

/** @nats-io/services carries its own nats-core copy: same wire format, distinct TypeScript types. */
type ReplyHeaders = NonNullable<ServiceMsg["headers"]>;

/** What a handler knows about the request it answers. */
export interface RequestContext {
  span: Span;
  /** Request a downstream endpoint as a child span of this request. */
  call(target: DownstreamTarget, body: unknown): Promise<DownstreamAnswer>;
}

/** Answers a request body with a response body, or throws a `ServiceFault`. */
export type EndpointHandler = (body: unknown, context: RequestContext) => Promise<unknown>;

export interface EndpointDeps {
  nc: NatsConnection;
  profile: ServiceProfile;
  inFlight: InFlight;
  log: (line: string) => void;
}

/**
 * What an endpoint answered, for `$SRV.STATS` data. The micro services library times handlers
 * synchronously and counts only thrown errors, which says little about async handlers.
 */
export class EndpointCounters {
  answered = 0;
  errors: Record<string, number> = {};
  #totalMs = 0;
  #maxMs = 0;

  record(code: number | undefined, ms: number): void {
    this.answered++;
    this.#totalMs += ms;
    this.#maxMs = Math.max(this.#maxMs, ms);
    if (code !== undefined) this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  snapshot(): { answered: number; errors: Record<string, number>; averageMs: number; maxMs: number } {
    const averageMs = this.answered === 0 ? 0 : Math.round((this.#totalMs / this.answered) * 100) / 100;
    return { answered: this.answered, errors: { ...this.errors }, averageMs, maxMs: Math.round(this.#maxMs * 100) / 100 };
  }
}

/** Add a manifest endpoint to a micro service: JSON in and out, trace context, injected faults, tracked for drain. */
export function serveEndpoint(
  service: Service,
  endpoint: ManifestEndpoint,
  handler: EndpointHandler,
  deps: EndpointDeps,
): EndpointCounters {
  const counters = new EndpointCounters();
  service.addEndpoint(endpoint.name, {
    subject: endpoint.subject,
    queue: endpoint.queue,
    metadata: { timeout_ms: String(endpoint.timeoutMs) },
    handler: (error, msg) => {
      if (error) return;
      deps.inFlight.track(answer(msg, handler, deps, counters));
    },
  });
  return counters;
}

async function answer(msg: ServiceMsg, handler: EndpointHandler, deps: EndpointDeps, counters: EndpointCounters): Promise<void> {
  const started = performance.now();
  const { dropRate } = deps.profile;
  if (dropRate !== undefined && Math.random() < dropRate) return;
  const span = serverSpan(msg.headers?.get("traceparent"));
  const replyHeaders = headers();
  replyHeaders.set("traceparent", formatTraceparent(span));
  try {
    const body = parseBody(msg);
    if (deps.profile.errorRate > 0 && Math.random() < deps.profile.errorRate) {
      throw ServiceFault.internal(`injected fault (errorRate ${deps.profile.errorRate})`);
    }
    const context: RequestContext = { span, call: (target, request) => callDownstream(deps.nc, span, target, request) };
    const result = await handler(body, context);
    msg.respond(JSON.stringify(result ?? null), { headers: replyHeaders as ReplyHeaders });
    counters.record(undefined, performance.now() - started);
  } catch (error) {
    const fault = error instanceof ServiceFault ? error : unexpectedFault(error);
    if (fault.code >= 500 && !(error instanceof ServiceFault)) deps.log(`${msg.subject}: ${fault.message}`);
    msg.respondError(fault.code, fault.message, undefined, { headers: replyHeaders as ReplyHeaders });
    counters.record(fault.code, performance.now() - started);
  }
}

/** A failure the handler did not classify: JetStream briefly unavailable (an election, a peer down) is 503, anything else 500. */
function unexpectedFault(error: unknown): ServiceFault {
  const message = error instanceof Error ? error.message : String(error);
  if (isTransient(error)) return new ServiceFault(503, `JetStream unavailable: ${message}`, { cause: error });
  return ServiceFault.internal(message, error);
}

function parseBody(msg: ServiceMsg): unknown {
  if (msg.data.length === 0) return {};
  try {
    return JSON.parse(msg.string());
  } catch (error) {
    throw ServiceFault.badRequest(`request body is not JSON: ${(error as Error).message}`);
  }
}
