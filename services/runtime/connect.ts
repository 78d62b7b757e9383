import type { NatsConnection } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";

export interface Credentials {
  user: string;
  pass: string;
}

/**
 * A connection with production-grade options: reconnect forever and fast, and notice a dead
 * server within seconds (nats.js defaults give up after 10 attempts and ping every 2 minutes).
 */
export function connectService(servers: string[], name: string, credentials?: Credentials): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    ...(credentials ? { user: credentials.user, pass: credentials.pass } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 2_000,
    maxPingOut: 2,
    waitOnFirstConnect: true,
    timeout: 5_000,
  });
}
