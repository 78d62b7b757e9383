import { createHash, timingSafeEqual } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { availableParallelism } from "node:os";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { AgentError } from "./agent-error.ts";
import { AGENT_PROTOCOL_VERSION, AGENT_SESSION_PATH } from "./agent-protocol.ts";
import { AgentSession } from "./agent-session.ts";

/** The request header carrying the protocol version the coordinator speaks. */
export const PROTOCOL_HEADER = "gauntlet-agent-protocol";
export const MIN_TOKEN_LENGTH = 16;

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * A load generator that a coordinator drives remotely: `gauntlet agent`. It runs the same worker threads as
 * `gauntlet load`, one run at a time, for whoever holds the token (which lets them run code here).
 */
export class LoadAgent {
  readonly #token: string;
  #workers = availableParallelism();
  #tls: { cert: string; key: string } | undefined;
  #log: (line: string) => void = () => undefined;

  constructor(token: string) {
    if (token.length < MIN_TOKEN_LENGTH) throw AgentError.weakToken("gauntlet agent (GAUNTLET_AGENT_TOKEN or --token-file)");
    this.#token = token;
  }

  withWorkers(workers: number): this {
    this.#workers = workers;
    return this;
  }

  /** Serves wss:// with this PEM certificate and key instead of ws://. */
  withTls(cert: string, key: string): this {
    this.#tls = { cert, key };
    return this;
  }

  withLog(log: (line: string) => void): this {
    this.#log = log;
    return this;
  }

  async listen(host: string, port: number): Promise<StartedLoadAgent> {
    const server = this.#tls ? createHttpsServer(this.#tls) : createHttpServer();
    const started = new StartedLoadAgent(server, this.#tls ? "wss" : "ws", digest(this.#token), this.#workers, this.#log);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return started;
  }
}

export class StartedLoadAgent {
  readonly #server: Server;
  readonly #scheme: string;
  readonly #tokenDigest: Buffer;
  readonly #workers: number;
  readonly #log: (line: string) => void;
  readonly #sockets = new WebSocketServer({ noServer: true });
  #session: AgentSession | undefined;
  /** Sessions that ran; `gauntlet agent --once` exits after the first. */
  readonly #sessionEnded: Array<() => void> = [];

  constructor(server: Server, scheme: string, tokenDigest: Buffer, workers: number, log: (line: string) => void) {
    this.#server = server;
    this.#scheme = scheme;
    this.#tokenDigest = tokenDigest;
    this.#workers = workers;
    this.#log = log;
    server.on("request", (req, res) => {
      const healthy = req.method === "GET" && req.url === "/healthz";
      res.writeHead(healthy ? 200 : 404, { "content-type": "text/plain" }).end(healthy ? "ok\n" : "not found\n");
    });
    server.on("upgrade", (req, socket, head) => this.#upgrade(req, socket, head));
  }

  get url(): string {
    const address = this.#server.address();
    if (address === null || typeof address === "string") throw new AgentError("the agent is not listening");
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    return `${this.#scheme}://${host}:${address.port}`;
  }

  get workers(): number {
    return this.#workers;
  }

  #authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
    return timingSafeEqual(digest(given), this.#tokenDigest);
  }

  /** Why a session request is turned away, or undefined to take it. */
  #refusal(req: IncomingMessage): [number, string, string] | undefined {
    if (new URL(req.url ?? "/", "http://agent").pathname !== AGENT_SESSION_PATH) return [404, "Not Found", "no such path"];
    if (!this.#authorized(req)) return [401, "Unauthorized", "bad token"];
    const version = req.headers[PROTOCOL_HEADER];
    if (Number(version) !== AGENT_PROTOCOL_VERSION) {
      return [400, "Bad Request", `this agent speaks protocol ${AGENT_PROTOCOL_VERSION}, the coordinator ${version ?? "none"}`];
    }
    if (this.#session) return [409, "Conflict", "a run is in progress"];
    return undefined;
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const from = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
    const refusal = this.#refusal(req);
    if (refusal) {
      const [status, reason, body] = refusal;
      this.#log(`refused ${from}: ${body}`);
      socket.end(
        `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    this.#sockets.handleUpgrade(req, socket, head, (ws) => {
      this.#log(`session from ${from}`);
      const session = new AgentSession(ws, this.#workers, this.#log);
      this.#session = session;
      void session.closed.then(() => {
        if (this.#session === session) this.#session = undefined;
        for (const notify of this.#sessionEnded.splice(0)) notify();
      });
    });
  }

  /** Resolves when the current or next session ends. */
  sessionEnded(): Promise<void> {
    return new Promise((resolve) => this.#sessionEnded.push(resolve));
  }

  /** Stops listening and ends the session in progress (its workers stop); nothing of a run stays behind. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await this.#session?.close();
    this.#sockets.close();
    this.#server.closeAllConnections();
    await closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
