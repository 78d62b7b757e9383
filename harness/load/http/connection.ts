import { isIP, connect as netConnect, type Socket } from "node:net";
import { type SecureContext, connect as tlsConnect } from "node:tls";
import { HttpClientError } from "./client-error.ts";
import type { Abortable, HttpRequestSpec, RawResponse } from "./message.ts";
import { ResponseParser } from "./response-parser.ts";

/** Methods safe to send again when a reused keep-alive connection turns out closed before any byte of the answer. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** A request waiting for its response. */
export interface Pending {
  spec: HttpRequestSpec;
  resolve(response: RawResponse): void;
  reject(error: Error): void;
  /** Sent on a connection that had served a request before. */
  reused: boolean;
  retried: boolean;
}

/** The per-origin pool a connection belongs to: where it goes back when idle, and where a retry goes. */
export interface ConnectionOwner {
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** For https: trusts a private CA besides the system's. */
  readonly secureContext: SecureContext | undefined;
  readonly inflight: Set<Abortable> | undefined;
  /** The request line and headers of `spec`. */
  head(spec: HttpRequestSpec): string;
  dispatch(pending: Pending): void;
  release(connection: Connection): void;
  forget(connection: Connection): void;
}

/**
 * One keep-alive HTTP/1.1 connection: one request at a time, the response parsed as it arrives
 * (Content-Length, chunked, or up to the close), closed on `Connection: close`, HTTP/1.0 without
 * keep-alive, a timeout, a malformed response or any bytes the server sends unasked.
 */
export class Connection implements Abortable {
  readonly #client: ConnectionOwner;
  readonly socket: Socket;
  #pending: Pending | undefined;
  #served = 0;
  #received = false;
  readonly #parser: ResponseParser;
  #timer: NodeJS.Timeout | undefined;
  #timerMs = 0;
  #socketError: Error | undefined;
  closed = false;
  idleSince = 0;

  constructor(client: ConnectionOwner) {
    this.#client = client;
    this.#parser = new ResponseParser(client.origin);
    const { host, port, tls, secureContext } = client;
    if (tls) {
      // SNI carries host names only (RFC 6066): an IP address is verified against the certificate's IP SANs.
      this.socket = tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(secureContext ? { secureContext } : {}) });
      this.socket.on("data", (chunk: Buffer) => this.#onData(chunk, false));
    } else {
      // Reads land in one buffer shared by every connection of the thread: no buffer and no
      // stream event per read. What outlives the callback the parser copies.
      this.socket = netConnect({
        host,
        port,
        onread: {
          buffer: READ_BUFFER,
          callback: (bytes: number) => {
            this.#onData(READ_BUFFER.subarray(0, bytes), true);
            return true;
          },
        },
      });
    }
    this.socket.setNoDelay(true);
    // 'close' follows: it decides between a retry and a failure.
    this.socket.on("error", (error) => {
      this.#socketError = error;
    });
    this.socket.on("close", () => this.#onClose());
  }

  /** How long the server keeps an idle connection open, as it said (`Keep-Alive: timeout=N`). */
  get idleLimitMs(): number {
    return this.#parser.idleLimitMs;
  }

  get busy(): boolean {
    return this.#pending !== undefined;
  }

  send(pending: Pending): void {
    const { spec } = pending;
    pending.reused = this.#served > 0;
    this.#pending = pending;
    this.#received = false;
    this.#parser.start(spec.method);
    this.#client.inflight?.add(this);
    if (this.#timer && this.#timerMs === spec.timeoutMs) this.#timer.refresh();
    else {
      clearTimeout(this.#timer);
      this.#timerMs = spec.timeoutMs;
      this.#timer = setTimeout(() => this.#onTimeout(), spec.timeoutMs);
      this.#timer.unref();
    }
    const head = this.#client.head(spec);
    const { body } = spec;
    if (body === null) this.socket.write(head, "latin1");
    else if (typeof body === "string") this.socket.write(head + body);
    else {
      this.socket.cork();
      this.socket.write(head, "latin1");
      this.socket.write(body);
      this.socket.uncork();
    }
  }

  abort(reason: Error): void {
    this.#fail(reason);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.#timer);
    this.socket.destroy();
  }

  #onTimeout(): void {
    if (this.#pending) this.#fail(HttpClientError.timeout(this.#client.origin, this.#pending.spec.timeoutMs));
  }

  #fail(error: Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    this.close();
    this.#client.forget(this);
    if (!pending) return;
    this.#client.inflight?.delete(this);
    pending.reject(error);
  }

  #onClose(): void {
    const pending = this.#pending;
    if (pending && this.#parser.endAtClose()) {
      this.#complete();
    } else if (pending) {
      this.#pending = undefined;
      this.close();
      this.#client.forget(this);
      this.#client.inflight?.delete(this);
      // A keep-alive connection the server closed just as it was reused: nothing was answered.
      if (!this.#received && pending.reused && !pending.retried && IDEMPOTENT.has(pending.spec.method)) {
        pending.retried = true;
        this.#client.dispatch(pending);
        return;
      }
      const during = this.#received ? "in the middle of the response" : "before answering";
      pending.reject(this.#socketError ?? HttpClientError.closed(this.#client.origin, during));
    } else {
      this.close();
      this.#client.forget(this);
    }
  }

  #onData(chunk: Buffer, shared: boolean): void {
    if (!this.#pending) {
      // Bytes nobody asked for: the connection cannot be trusted for the next request.
      this.close();
      this.#client.forget(this);
      return;
    }
    this.#received = true;
    let after: number;
    try {
      after = this.#parser.feed(chunk, shared);
    } catch (error) {
      this.#fail(error as Error);
      return;
    }
    if (after < 0) return;
    this.#complete();
    if (after > 0) {
      // Bytes after the response: nothing was asked for them.
      this.close();
      this.#client.forget(this);
    }
  }

  #complete(): void {
    const pending = this.#pending as Pending;
    this.#pending = undefined;
    this.#client.inflight?.delete(this);
    const response = this.#parser.take();
    this.#served++;
    if (this.#parser.keepAlive && !this.closed) this.#client.release(this);
    else {
      this.close();
      this.#client.forget(this);
    }
    pending.resolve(response);
  }
}
