import { isIP, connect as netConnect, type Socket } from "node:net";
import { createSecureContext, rootCertificates, type SecureContext, connect as tlsConnect } from "node:tls";
import { LoadError } from "./errors.ts";

/** A response as the iteration API hands it on: header names in lower case, repeated headers as arrays. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface HttpRequestSpec {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | null;
  /** From the request's start to the end of its body, connecting included. */
  timeoutMs: number;
}

/** Something in flight that the end of a run may cut short. */
export interface Abortable {
  abort(reason: Error): void;
}

const PARSED = new Map<string, { origin: string; path: string; label: string }>();

/** Origin, path and metric label of a URL, parsed once per distinct URL (bounded cache). */
export function parseUrl(url: string): { origin: string; path: string; label: string } {
  let parsed = PARSED.get(url);
  if (!parsed) {
    const u = new URL(url);
    parsed = { origin: u.origin, path: `${u.pathname}${u.search}`, label: `${u.origin}${u.pathname}` };
    if (PARSED.size > 10_000) PARSED.clear();
    PARSED.set(url, parsed);
  }
  return parsed;
}

/** Why a request got no (complete) response; `code` goes in front of the message in results. */
export class HttpClientError extends LoadError {
  override name = "HttpClientError";
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }

  static timeout(origin: string, ms: number): HttpClientError {
    return new HttpClientError("HTTP_TIMEOUT", `${origin}: no complete response within ${ms} ms`);
  }

  static malformed(origin: string, problem: string): HttpClientError {
    return new HttpClientError("HTTP_MALFORMED", `${origin}: malformed response: ${problem}`);
  }

  static closed(origin: string, during: string): HttpClientError {
    return new HttpClientError("HTTP_CLOSED", `${origin}: the server closed the connection ${during}`);
  }

  static invalidRequest(origin: string, problem: string): HttpClientError {
    return new HttpClientError("HTTP_INVALID_REQUEST", `${origin}: ${problem}`);
  }
}

const MAX_HEAD_BYTES = 64 * 1024;
const DEFAULT_IDLE_MS = 30_000;
/** Methods safe to send again when a reused keep-alive connection turns out closed before any byte of the answer. */
const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]);
const INVALID_HEADER = /[\r\n\0]/;
const EMPTY = Buffer.alloc(0);
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

const State = { head: 0, length: 1, chunkSize: 2, chunkData: 3, chunkDataEnd: 4, trailers: 5, untilClose: 6 } as const;
type ParseState = (typeof State)[keyof typeof State];

interface Pending {
  spec: HttpRequestSpec;
  resolve(response: RawResponse): void;
  reject(error: Error): void;
  /** Sent on a connection that had served a request before. */
  reused: boolean;
  retried: boolean;
}

/**
 * One keep-alive HTTP/1.1 connection: one request at a time, the response parsed as it arrives
 * (Content-Length, chunked, or up to the close), closed on `Connection: close`, HTTP/1.0 without
 * keep-alive, a timeout, a malformed response or any bytes the server sends unasked.
 */
class Connection implements Abortable {
  readonly #client: OriginClient;
  readonly socket: Socket;
  #pending: Pending | undefined;
  #served = 0;
  #received = false;
  #buffer: Buffer = EMPTY;
  #state: ParseState = State.head;
  #remaining = 0;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  #chunks: Buffer[] = [];
  #keepAlive = true;
  #noBody = false;
  #timer: NodeJS.Timeout | undefined;
  #timerMs = 0;
  #socketError: Error | undefined;
  #keepAliveHint = "";
  /** The chunk being parsed is a view of READ_BUFFER. */
  #inShared = false;
  closed = false;
  idleSince = 0;
  /** The server's `Keep-Alive: timeout=N`, in ms, if it gave one. */
  idleLimitMs = DEFAULT_IDLE_MS;

  constructor(client: OriginClient) {
    this.#client = client;
    const { host, port, tls, secureContext } = client;
    if (tls) {
      // SNI carries host names only (RFC 6066): an IP address is verified against the certificate's IP SANs.
      this.socket = tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ...(secureContext ? { secureContext } : {}) });
      this.socket.on("data", (chunk: Buffer) => this.#onData(chunk, false));
    } else {
      // Reads land in one buffer shared by every connection of the thread: no buffer and no
      // stream event per read. What outlives the callback is copied (`#keep`).
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

  get busy(): boolean {
    return this.#pending !== undefined;
  }

  send(pending: Pending): void {
    const { spec } = pending;
    pending.reused = this.#served > 0;
    this.#pending = pending;
    this.#received = false;
    this.#state = State.head;
    this.#noBody = spec.method === "HEAD";
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
    if (pending && this.#state === State.untilClose) {
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

  /** A chunk the parser keeps past this read: copied out of the shared read buffer if it is in it. */
  #keep(chunk: Buffer): Buffer {
    return this.#inShared ? Buffer.from(chunk) : chunk;
  }

  #onData(chunk: Buffer, shared: boolean): void {
    if (!this.#pending) {
      // Bytes nobody asked for: the connection cannot be trusted for the next request.
      this.close();
      this.#client.forget(this);
      return;
    }
    this.#received = true;
    let buf = chunk;
    this.#inShared = shared;
    if (this.#buffer.length) {
      buf = Buffer.concat([this.#buffer, chunk]);
      this.#inShared = false;
    }
    this.#buffer = EMPTY;
    try {
      while (this.#pending) {
        const used = this.#parse(buf);
        if (used < 0) {
          this.#buffer = this.#keep(buf);
          return;
        }
        buf = buf.subarray(used);
        if (!this.#pending) {
          if (buf.length) {
            this.close();
            this.#client.forget(this);
          }
          return;
        }
        if (buf.length === 0) return;
      }
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  /** Consumes what it can of `buf`: the bytes used, or -1 to wait for more. */
  #parse(buf: Buffer): number {
    switch (this.#state) {
      case State.head:
        return this.#parseHead(buf);
      case State.length: {
        const take = Math.min(this.#remaining, buf.length);
        if (take > 0) this.#chunks.push(this.#keep(take === buf.length ? buf : buf.subarray(0, take)));
        this.#remaining -= take;
        if (this.#remaining === 0) this.#complete();
        return take === 0 ? -1 : take;
      }
      case State.chunkSize: {
        const end = buf.indexOf("\r\n");
        if (end < 0) {
          if (buf.length > 1024) throw HttpClientError.malformed(this.#client.origin, "chunk size line longer than 1 KiB");
          return -1;
        }
        const line = buf.toString("latin1", 0, end);
        const sizeText = line.split(";", 1)[0]?.trim() ?? "";
        if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText))
          throw HttpClientError.malformed(this.#client.origin, `bad chunk size '${line.slice(0, 40)}'`);
        this.#remaining = Number.parseInt(sizeText, 16);
        this.#state = this.#remaining === 0 ? State.trailers : State.chunkData;
        return end + 2;
      }
      case State.chunkData: {
        if (buf.length === 0) return -1;
        const take = Math.min(this.#remaining, buf.length);
        this.#chunks.push(this.#keep(buf.subarray(0, take)));
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = State.chunkDataEnd;
        return take;
      }
      case State.chunkDataEnd: {
        if (buf.length < 2) return -1;
        if (buf[0] !== 13 || buf[1] !== 10) throw HttpClientError.malformed(this.#client.origin, "chunk data not followed by CRLF");
        this.#state = State.chunkSize;
        return 2;
      }
      case State.trailers: {
        // Trailer fields end with an empty line; they are read and dropped.
        if (buf.length >= 2 && buf[0] === 13 && buf[1] === 10) {
          this.#complete();
          return 2;
        }
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) {
          if (buf.length > MAX_HEAD_BYTES) throw HttpClientError.malformed(this.#client.origin, "trailers larger than 64 KiB");
          return -1;
        }
        this.#complete();
        return end + 4;
      }
      case State.untilClose:
        if (buf.length) this.#chunks.push(this.#keep(buf));
        return buf.length || -1;
    }
    return -1;
  }

  #parseHead(buf: Buffer): number {
    const end = buf.indexOf("\r\n\r\n");
    if (end < 0) {
      if (buf.length > MAX_HEAD_BYTES) throw HttpClientError.malformed(this.#client.origin, "response head larger than 64 KiB");
      if (buf.length >= 5 && buf.toString("latin1", 0, 5) !== "HTTP/")
        throw HttpClientError.malformed(this.#client.origin, `status line '${firstLine(buf)}' is not HTTP`);
      return -1;
    }
    const head = buf.toString("latin1", 0, end);
    let lineEnd = head.indexOf("\r\n");
    if (lineEnd < 0) lineEnd = head.length;
    const status = statusOf(head, lineEnd);
    if (status < 0)
      throw HttpClientError.malformed(this.#client.origin, `status line '${head.slice(0, Math.min(lineEnd, 80))}' is not HTTP/1.x`);
    const headers: Record<string, string | string[] | undefined> = {};
    let contentLength = -1;
    let chunked = false;
    let connection = "";
    while (lineEnd < head.length) {
      const start = lineEnd + 2;
      lineEnd = head.indexOf("\r\n", start);
      if (lineEnd < 0) lineEnd = head.length;
      const colon = head.indexOf(":", start);
      if (colon <= start || colon > lineEnd)
        throw HttpClientError.malformed(
          this.#client.origin,
          `header line '${head.slice(start, Math.min(lineEnd, start + 80))}' has no name`,
        );
      const name = head.slice(start, colon).trim().toLowerCase();
      const value = head.slice(colon + 1, lineEnd).trim();
      const previous = headers[name];
      if (previous === undefined) headers[name] = name === "set-cookie" ? [value] : value;
      else if (Array.isArray(previous)) previous.push(value);
      else headers[name] = [previous, value];
      if (name === "content-length") {
        const length = decimal(value);
        if (length < 0) throw HttpClientError.malformed(this.#client.origin, `content-length '${value}'`);
        if (contentLength >= 0 && contentLength !== length)
          throw HttpClientError.malformed(this.#client.origin, "two different content-length headers");
        contentLength = length;
      } else if (name === "transfer-encoding") chunked = /(^|,)\s*chunked\s*$/i.test(value);
      else if (name === "connection") connection = value.toLowerCase();
      else if (name === "keep-alive" && value !== this.#keepAliveHint) {
        this.#keepAliveHint = value;
        const timeout = /timeout=(\d+)/.exec(value);
        if (timeout) this.idleLimitMs = Math.max(0, Number(timeout[1]) * 1000 - 1000);
      }
    }
    if (status < 200 && status !== 101) {
      // An informational answer (100 Continue, 103 Early Hints): the real one follows.
      return end + 4;
    }
    this.#status = status;
    this.#headers = headers;
    this.#chunks = [];
    this.#keepAlive = head.charCodeAt(7) === 49 ? !connection.includes("close") : connection.includes("keep-alive");
    if (this.#noBody || status === 204 || status === 304 || status === 101) {
      if (status === 101) this.#keepAlive = false;
      this.#complete();
    } else if (chunked) this.#state = State.chunkSize;
    else if (contentLength >= 0) {
      this.#remaining = contentLength;
      this.#state = State.length;
      if (contentLength === 0) this.#complete();
    } else {
      this.#keepAlive = false;
      this.#state = State.untilClose;
    }
    return end + 4;
  }

  #complete(): void {
    const pending = this.#pending as Pending;
    this.#pending = undefined;
    this.#client.inflight?.delete(this);
    const chunks = this.#chunks;
    this.#chunks = [];
    const body = chunks.length === 0 ? "" : chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString();
    this.#served++;
    this.#state = State.head;
    if (this.#keepAlive && !this.closed) this.#client.release(this);
    else {
      this.close();
      this.#client.forget(this);
    }
    pending.resolve({ status: this.#status, headers: this.#headers, body });
  }
}

/** The status of an `HTTP/1.x NNN reason` line (reason optional), or -1. */
function statusOf(head: string, lineEnd: number): number {
  if (!head.startsWith("HTTP/1.") || lineEnd < 12) return -1;
  const minor = head.charCodeAt(7);
  if ((minor !== 48 && minor !== 49) || head.charCodeAt(8) !== 32 || (lineEnd > 12 && head.charCodeAt(12) !== 32)) return -1;
  let status = 0;
  for (let i = 9; i < 12; i++) {
    const digit = head.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    status = status * 10 + digit;
  }
  return status;
}

/** A non-negative decimal of at most 15 digits, or -1. */
function decimal(text: string): number {
  if (text.length === 0 || text.length > 15) return -1;
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function firstLine(buf: Buffer): string {
  const text = buf.toString("latin1", 0, Math.min(buf.length, 80));
  return text.split("\r\n", 1)[0] ?? "";
}

/** A TLS context that trusts the CA in `caPem` besides the system's: build it once, share it between clients. */
export function trustingCa(caPem: string): SecureContext {
  return createSecureContext({ ca: [...rootCertificates, caPem] });
}

/**
 * A lean HTTP/1.1 client for one origin and one VU: keep-alive connections, one request per
 * connection at a time (a VU's parallel requests open more), reconnecting when the server closes
 * one. Connection failures, timeouts and malformed answers reject with an error naming the origin.
 */
export class OriginClient {
  readonly origin: string;
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** For https: trusts a private CA besides the system's (`trustingCa`). */
  readonly secureContext: SecureContext | undefined;
  /** Requests in flight, that the end of a run interrupts. */
  inflight: Set<Abortable> | undefined;
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  readonly #heads = new Map<string, string>();
  readonly #hostHeader: string;
  #closed = false;

  constructor(origin: string, inflight?: Set<Abortable>, secureContext?: SecureContext) {
    const url = new URL(origin);
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw HttpClientError.invalidRequest(origin, `protocol '${url.protocol}' is not http: or https:`);
    this.origin = url.origin;
    this.tls = url.protocol === "https:";
    this.host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    this.port = url.port ? Number(url.port) : this.tls ? 443 : 80;
    this.#hostHeader = url.host;
    this.inflight = inflight;
    this.secureContext = this.tls ? secureContext : undefined;
  }

  request(spec: HttpRequestSpec): Promise<RawResponse> {
    return new Promise((resolve, reject) => this.dispatch({ spec, resolve, reject, reused: false, retried: false }));
  }

  /** @internal */
  dispatch(pending: Pending): void {
    if (this.#closed) {
      pending.reject(HttpClientError.invalidRequest(this.origin, "the client is closed"));
      return;
    }
    let connection = this.#idle.pop();
    const now = performance.now();
    while (connection && (connection.closed || now - connection.idleSince >= connection.idleLimitMs)) {
      connection.close();
      this.#all.delete(connection);
      connection = this.#idle.pop();
    }
    if (!connection) {
      connection = new Connection(this);
      this.#all.add(connection);
    }
    try {
      connection.send(pending);
    } catch (error) {
      connection.abort(error as Error);
    }
  }

  /** The request line and headers, built once per distinct header-less request. */
  head(spec: HttpRequestSpec): string {
    const plain = spec.body === null && isEmpty(spec.headers);
    const key = `${spec.method} ${spec.path}`;
    if (plain) {
      const cached = this.#heads.get(key);
      if (cached) return cached;
    }
    if (INVALID_HEADER.test(spec.path) || spec.path.includes(" ") || INVALID_HEADER.test(spec.method) || spec.method.includes(" "))
      throw HttpClientError.invalidRequest(this.origin, `request line '${spec.method} ${spec.path}' has spaces or line breaks`);
    let head = `${key} HTTP/1.1\r\n`;
    let host = false;
    for (const name in spec.headers) {
      const value = spec.headers[name] as string;
      const lower = name.toLowerCase();
      if (lower === "content-length" || lower === "transfer-encoding") continue;
      if (INVALID_HEADER.test(name) || INVALID_HEADER.test(value) || name.includes(":") || name.trim() === "")
        throw HttpClientError.invalidRequest(this.origin, `header '${name}' has an invalid name or value`);
      if (lower === "host") host = true;
      head += `${name}: ${value}\r\n`;
    }
    if (!host) head += `host: ${this.#hostHeader}\r\n`;
    if (spec.body !== null)
      head += `content-length: ${typeof spec.body === "string" ? Buffer.byteLength(spec.body) : spec.body.byteLength}\r\n`;
    else if (spec.method === "POST" || spec.method === "PUT" || spec.method === "PATCH") head += "content-length: 0\r\n";
    head += "\r\n";
    if (plain) {
      if (this.#heads.size > 1000) this.#heads.clear();
      this.#heads.set(key, head);
    }
    return head;
  }

  /** @internal */
  release(connection: Connection): void {
    if (this.#closed) {
      connection.close();
      this.#all.delete(connection);
      return;
    }
    connection.idleSince = performance.now();
    this.#idle.push(connection);
  }

  /** @internal */
  forget(connection: Connection): void {
    this.#all.delete(connection);
    const at = this.#idle.indexOf(connection);
    if (at >= 0) this.#idle.splice(at, 1);
  }

  /** Open connections (idle or busy). */
  get connections(): number {
    return this.#all.size;
  }

  close(): void {
    this.#closed = true;
    for (const connection of [...this.#all]) {
      if (connection.busy) connection.abort(HttpClientError.invalidRequest(this.origin, "the client closed"));
      else connection.close();
    }
    this.#all.clear();
    this.#idle.length = 0;
  }
}

function isEmpty(record: Record<string, string>): boolean {
  for (const _ in record) return false;
  return true;
}
