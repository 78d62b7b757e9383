import { setTimeout as delay } from "node:timers/promises";
import { type Msg, type NatsConnection, headers as natsHeaders } from "@nats-io/nats-core";

/** What an echoing responder saw: the subject and every header that reached NATS. */
export interface Echo {
  subject: string;
  headers: Record<string, string[]>;
  body: unknown;
}

export const SLOW_REPLY_MS = 1_000;
export const LENGTHY_REPLY_MS = 800;

/**
 * Tiny nats.js responders for the test manifest's subjects (unserved.orders.missing has none, and observers watch only svc.>).
 * `create`, `slow`, `lengthy`, `status` and `audit.record` echo what they received; the
 * others answer with micro-service errors.
 */
export function startResponders(nc: NatsConnection): { received: Echo[]; lengthyStarted: Promise<void> } {
  const received: Echo[] = [];
  let markLengthyStarted = () => {};
  const lengthyStarted = new Promise<void>((resolve) => {
    markLengthyStarted = resolve;
  });
  const echo = (msg: Msg) => {
    const seen: Echo = { subject: msg.subject, headers: headerRecord(msg), body: null };
    try {
      seen.body = msg.data.length ? msg.json() : null;
      msg.respond(JSON.stringify(seen));
    } catch {
      // A body too deep to re-serialize (the fuzzer sends some): echo its size instead.
      seen.body = { bytes: msg.data.length };
      msg.respond(JSON.stringify(seen));
    }
    received.push(seen);
  };
  const serviceError = (code: number, description: string) => (msg: Msg) => {
    const hdrs = natsHeaders();
    hdrs.set("Nats-Service-Error", description);
    hdrs.set("Nats-Service-Error-Code", String(code));
    msg.respond("", { headers: hdrs });
  };
  nc.subscribe("svc.orders.create", { callback: (_err, msg) => echo(msg) });
  nc.subscribe("svc.event-bus.status", { callback: (_err, msg) => echo(msg) });
  nc.subscribe("svc.audit.record", { callback: (_err, msg) => echo(msg) });
  nc.subscribe("svc.orders.slow", { callback: (_err, msg) => void delay(SLOW_REPLY_MS).then(() => echo(msg)) });
  nc.subscribe("svc.orders.lengthy", {
    callback: (_err, msg) => {
      markLengthyStarted();
      void delay(LENGTHY_REPLY_MS).then(() => echo(msg));
    },
  });
  nc.subscribe("svc.orders.conflict", { callback: (_err, msg) => serviceError(409, "order already exists")(msg) });
  nc.subscribe("svc.orders.invalid", { callback: (_err, msg) => serviceError(400, "item is required")(msg) });
  nc.subscribe("svc.orders.gone", { callback: (_err, msg) => serviceError(404, "no such order")(msg) });
  nc.subscribe("svc.orders.broken", { callback: (_err, msg) => serviceError(500, "database unreachable")(msg) });
  return { received, lengthyStarted };
}

export function headerRecord(msg: Msg): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!msg.headers) return out;
  for (const [name, values] of msg.headers) out[name] = values;
  return out;
}
