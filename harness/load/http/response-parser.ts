import { HttpClientError } from "./client-error.ts";
import type { RawResponse } from "./message.ts";

const MAX_HEAD_BYTES = 64 * 1024;
const DEFAULT_IDLE_MS = 30_000;
const EMPTY = Buffer.alloc(0);

const State = { head: 0, length: 1, chunkSize: 2, chunkData: 3, chunkDataEnd: 4, trailers: 5, untilClose: 6 } as const;
type ParseState = (typeof State)[keyof typeof State];

/**
 * Parses the HTTP/1.x responses of one connection as their bytes arrive, one response at a time:
 * the head (informational 1xx answers skipped), then the body by Content-Length, chunked, or up
 * to the close. Malformed input throws an `HttpClientError` naming the origin.
 */
export class ResponseParser {
  readonly #origin: string;
  #buffer: Buffer = EMPTY;
  #state: ParseState = State.head;
  #remaining = 0;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = {};
  #chunks: Buffer[] = [];
  #noBody = false;
  #done = false;
  #keepAliveHint = "";
  /** The chunk being parsed is a view of a read buffer shared by every connection. */
  #inShared = false;
  /** Whether the connection may serve another request after this response. */
  keepAlive = true;
  /** The server's `Keep-Alive: timeout=N`, in ms, if it gave one. */
  idleLimitMs = DEFAULT_IDLE_MS;

  constructor(origin: string) {
    this.#origin = origin;
  }

  /** Ready for the response to a request with `method` (a HEAD response has no body). */
  start(method: string): void {
    this.#state = State.head;
    this.#noBody = method === "HEAD";
    this.#done = false;
  }

  /**
   * Parses `chunk`; `shared` = a view of a read buffer the caller reuses, so what the parser keeps
   * is copied. Returns -1 while the response is incomplete, else how many bytes came after it.
   */
  feed(chunk: Buffer, shared: boolean): number {
    let buf = chunk;
    this.#inShared = shared;
    if (this.#buffer.length) {
      buf = Buffer.concat([this.#buffer, chunk]);
      this.#inShared = false;
    }
    this.#buffer = EMPTY;
    while (!this.#done) {
      const used = this.#parse(buf);
      if (used < 0) {
        this.#buffer = this.#keep(buf);
        return -1;
      }
      buf = buf.subarray(used);
      if (this.#done) return buf.length;
      if (buf.length === 0) return -1;
    }
    return buf.length;
  }

  /** The connection closed: a body that runs up to the close is complete. Whether it was one. */
  endAtClose(): boolean {
    if (this.#state !== State.untilClose) return false;
    this.#done = true;
    return true;
  }

  /** The complete response (after `feed` or `endAtClose` said so). */
  take(): RawResponse {
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#state = State.head;
    const body = chunks.length === 0 ? "" : chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString();
    return { status: this.#status, headers: this.#headers, body };
  }

  /** A chunk the parser keeps past this read: copied out of the shared read buffer if it is in it. */
  #keep(chunk: Buffer): Buffer {
    return this.#inShared ? Buffer.from(chunk) : chunk;
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
        if (this.#remaining === 0) this.#done = true;
        return take === 0 ? -1 : take;
      }
      case State.chunkSize: {
        const end = buf.indexOf("\r\n");
        if (end < 0) {
          if (buf.length > 1024) throw HttpClientError.malformed(this.#origin, "chunk size line longer than 1 KiB");
          return -1;
        }
        const line = buf.toString("latin1", 0, end);
        const sizeText = line.split(";", 1)[0]?.trim() ?? "";
        if (!/^[0-9a-fA-F]{1,8}$/.test(sizeText)) throw HttpClientError.malformed(this.#origin, `bad chunk size '${line.slice(0, 40)}'`);
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
        if (buf[0] !== 13 || buf[1] !== 10) throw HttpClientError.malformed(this.#origin, "chunk data not followed by CRLF");
        this.#state = State.chunkSize;
        return 2;
      }
      case State.trailers: {
        // Trailer fields end with an empty line; they are read and dropped.
        if (buf.length >= 2 && buf[0] === 13 && buf[1] === 10) {
          this.#done = true;
          return 2;
        }
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) {
          if (buf.length > MAX_HEAD_BYTES) throw HttpClientError.malformed(this.#origin, "trailers larger than 64 KiB");
          return -1;
        }
        this.#done = true;
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
      if (buf.length > MAX_HEAD_BYTES) throw HttpClientError.malformed(this.#origin, "response head larger than 64 KiB");
      if (buf.length >= 5 && buf.toString("latin1", 0, 5) !== "HTTP/")
        throw HttpClientError.malformed(this.#origin, `status line '${firstLine(buf)}' is not HTTP`);
      return -1;
    }
    const head = buf.toString("latin1", 0, end);
    let lineEnd = head.indexOf("\r\n");
    if (lineEnd < 0) lineEnd = head.length;
    const status = statusOf(head, lineEnd);
    if (status < 0) throw HttpClientError.malformed(this.#origin, `status line '${head.slice(0, Math.min(lineEnd, 80))}' is not HTTP/1.x`);
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
        throw HttpClientError.malformed(this.#origin, `header line '${head.slice(start, Math.min(lineEnd, start + 80))}' has no name`);
      const name = head.slice(start, colon).trim().toLowerCase();
      const value = head.slice(colon + 1, lineEnd).trim();
      const previous = headers[name];
      if (previous === undefined) headers[name] = name === "set-cookie" ? [value] : value;
      else if (Array.isArray(previous)) previous.push(value);
      else headers[name] = [previous, value];
      if (name === "content-length") {
        const length = decimal(value);
        if (length < 0) throw HttpClientError.malformed(this.#origin, `content-length '${value}'`);
        if (contentLength >= 0 && contentLength !== length)
          throw HttpClientError.malformed(this.#origin, "two different content-length headers");
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
    this.keepAlive = head.charCodeAt(7) === 49 ? !connection.includes("close") : connection.includes("keep-alive");
    if (this.#noBody || status === 204 || status === 304 || status === 101) {
      if (status === 101) this.keepAlive = false;
      this.#done = true;
    } else if (chunked) this.#state = State.chunkSize;
    else if (contentLength >= 0) {
      this.#remaining = contentLength;
      this.#state = State.length;
      if (contentLength === 0) this.#done = true;
    } else {
      this.keepAlive = false;
      this.#state = State.untilClose;
    }
    return end + 4;
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
