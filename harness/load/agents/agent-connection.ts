import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { nowMs } from "../target.ts";
import { AgentError } from "./agent-error.ts";
import {
  AGENT_PROTOCOL_VERSION,
  AGENT_SESSION_PATH,
  decodeMessage,
  encodeMessage,
  type FromAgent,
  type ToAgent,
} from "./agent-protocol.ts";
import { PROTOCOL_HEADER } from "./load-agent.ts";

/** Where a coordinator finds one agent. */
export interface AgentEndpoint {
  /** How the report names it: `local-1`, an ECS task id, a host. */
  name: string;
  /** ws://host:port or wss://host:port */
  url: string;
  token: string;
  /** PEM of the CA that signed a wss:// agent's certificate, when it is not a public one. */
  ca?: string;
}

export type Hello = Extract<FromAgent, { type: "hello" }>;

const SYNC_ROUNDS = 5;
const BUSY_RETRY_MS = 100;

/** The coordinator's WebSocket session with one agent. */
export class AgentConnection {
  readonly endpoint: AgentEndpoint;
  readonly hello: Hello;
  readonly #socket: WebSocket;
  readonly closed: Promise<void>;
  #listener: (message: FromAgent) => void = () => undefined;
  #unreadable: string | undefined;
  readonly #synced = new Map<number, (message: Extract<FromAgent, { type: "synced" }>) => void>();

  private constructor(endpoint: AgentEndpoint, socket: WebSocket, hello: Hello) {
    this.endpoint = endpoint;
    this.#socket = socket;
    this.hello = hello;
    this.closed = new Promise((resolve) => {
      if (socket.readyState === socket.CLOSED) resolve();
      else socket.once("close", () => resolve());
    });
    socket.on("message", (data) => {
      let message: FromAgent;
      try {
        message = decodeMessage<FromAgent>(String(data));
      } catch (error) {
        this.#unreadable = `sent an unreadable message (${(error as Error).message})`;
        socket.terminate();
        return;
      }
      if (message.type === "synced") this.#synced.get(message.id)?.(message);
      else this.#listener(message);
    });
  }

  static open(endpoint: AgentEndpoint, timeoutMs = 10_000): Promise<AgentConnection> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`${endpoint.url.replace(/\/+$/, "")}${AGENT_SESSION_PATH}`, {
        headers: { authorization: `Bearer ${endpoint.token}`, [PROTOCOL_HEADER]: String(AGENT_PROTOCOL_VERSION) },
        handshakeTimeout: timeoutMs,
        ...(endpoint.ca !== undefined ? { ca: endpoint.ca } : {}),
      });
      const fail = (error: AgentError) => {
        socket.terminate();
        reject(error);
      };
      socket.once("unexpected-response", (_request, response) => {
        let body = "";
        response.on("data", (chunk: Buffer) => (body += chunk));
        response.on("end", () => fail(AgentError.refused(endpoint.name, response.statusCode ?? 0, body.trim())));
      });
      socket.once("error", (error) => fail(AgentError.unreachable(endpoint.name, error)));
      socket.once("close", () => fail(AgentError.protocol(endpoint.name, "closed the connection before saying hello")));
      socket.once("message", (data) => {
        let hello: FromAgent;
        try {
          hello = decodeMessage<FromAgent>(String(data));
        } catch (error) {
          return fail(AgentError.protocol(endpoint.name, `sent an unreadable hello (${(error as Error).message})`));
        }
        if (hello.type !== "hello") return fail(AgentError.protocol(endpoint.name, `sent '${hello.type}' before hello`));
        socket.removeAllListeners("error").removeAllListeners("close");
        socket.on("error", () => undefined);
        resolve(new AgentConnection(endpoint, socket, hello));
      });
    });
  }

  /**
   * `open`, waiting up to `waitMs` for an agent that is busy: one whose previous session (this
   * coordinator's last step, say) is still stopping its worker threads after the close.
   */
  static async openWhenFree(endpoint: AgentEndpoint, waitMs = 10_000): Promise<AgentConnection> {
    const deadline = performance.now() + waitMs;
    for (;;) {
      try {
        return await AgentConnection.open(endpoint);
      } catch (error) {
        if (!(error instanceof AgentError && error.busy) || performance.now() + BUSY_RETRY_MS > deadline) throw error;
        await sleep(BUSY_RETRY_MS);
      }
    }
  }

  onMessage(listener: (message: FromAgent) => void): void {
    this.#listener = listener;
  }

  /** Calls `listener` when the connection ends, for whatever reason. */
  onClose(listener: (why: string) => void): void {
    this.#socket.once("close", (code, reason) =>
      listener(this.#unreadable ?? `connection closed (${code}${reason.length ? ` ${reason}` : ""})`),
    );
  }

  send(message: ToAgent): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(encodeMessage(message));
  }

  /**
   * The agent's clock minus this one (ms), from the round trip that took least time (NTP's estimate):
   * the shared start is sent in the agent's own clock so ramps line up across hosts.
   */
  async sync(): Promise<{ offsetMs: number; rttMs: number }> {
    let best = { offsetMs: 0, rttMs: Number.POSITIVE_INFINITY };
    for (let id = 0; id < SYNC_ROUNDS; id++) {
      const t0 = nowMs();
      const reply = await new Promise<Extract<FromAgent, { type: "synced" }>>((resolve, reject) => {
        this.#synced.set(id, resolve);
        this.closed.then(() => reject(AgentError.protocol(this.endpoint.name, "closed the connection during the clock sync")));
        this.send({ type: "sync", id, t0 });
      });
      this.#synced.delete(id);
      const t1 = nowMs();
      if (t1 - t0 < best.rttMs) best = { offsetMs: reply.agentMs - (t0 + t1) / 2, rttMs: t1 - t0 };
    }
    return best;
  }

  /** Drops the connection at once (a stalled agent). */
  terminate(): void {
    this.#socket.terminate();
  }

  async close(): Promise<void> {
    if (this.#socket.readyState === this.#socket.CLOSED) return;
    this.#socket.close(1000, "run over");
    const timer = setTimeout(() => this.#socket.terminate(), 2000);
    await this.closed;
    clearTimeout(timer);
  }
}
