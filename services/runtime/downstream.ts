import { ServiceError } from "@nats-io/services";
import { errors, headers, type NatsConnection } from "@nats-io/transport-node";
import type { DownstreamTarget } from "./replica-spec.ts";
import { ServiceFault } from "./service-fault.ts";
import { formatTraceparent, parseTraceparent, type Span } from "./trace.ts";

export interface DownstreamAnswer {
  body: unknown;
  /** The span the downstream hop reported in its `traceparent` response header. */
  span: Span | undefined;
}

/** A downstream request that failed; `downstreamCode` is what the downstream service answered (0 for transport failures). */
export class DownstreamFault extends ServiceFault {
  override name = "DownstreamFault";
  readonly downstreamCode: number;

  constructor(code: number, downstreamCode: number, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.downstreamCode = downstreamCode;
  }
}

/** Request a downstream endpoint as a child of `span`, with the endpoint's own timeout. */
export async function callDownstream(nc: NatsConnection, span: Span, target: DownstreamTarget, body: unknown): Promise<DownstreamAnswer> {
  const h = headers();
  h.set("traceparent", formatTraceparent(span));
  let reply: Awaited<ReturnType<NatsConnection["request"]>>;
  try {
    reply = await nc.request(target.subject, JSON.stringify(body), { timeout: target.timeoutMs, headers: h });
  } catch (error) {
    if (isNoResponders(error)) throw new DownstreamFault(503, 0, `${target.call}: no responders`, { cause: error });
    if (isTimeout(error)) throw new DownstreamFault(504, 0, `${target.call}: no answer within ${target.timeoutMs}ms`, { cause: error });
    throw new DownstreamFault(500, 0, `${target.call}: ${(error as Error).message}`, { cause: error });
  }
  // @nats-io/services carries its own nats-core copy: same wire types, distinct TypeScript types.
  const failure = ServiceError.toServiceError(reply as unknown as Parameters<typeof ServiceError.toServiceError>[0]);
  if (failure) throw new DownstreamFault(500, failure.code, `${target.call} answered ${failure.code}: ${failure.message}`);
  return { body: reply.data.length > 0 ? reply.json() : null, span: parseTraceparent(reply.headers?.get("traceparent")) };
}

function isNoResponders(error: unknown): boolean {
  return (
    error instanceof errors.NoRespondersError ||
    (error instanceof errors.RequestError && error.isNoResponders()) ||
    (error instanceof Error && error.cause instanceof errors.NoRespondersError)
  );
}

function isTimeout(error: unknown): boolean {
  return error instanceof errors.TimeoutError || (error instanceof Error && error.cause instanceof errors.TimeoutError);
}
