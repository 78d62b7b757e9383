import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";
import { HttpClientError } from "./client-error.ts";
import { Connection, type ConnectionOwner, type Pending } from "./connection.ts";
import type { Abortable, HttpRequestSpec, RawResponse } from "./message.ts";

const INVALID_HEADER = /[\r\n\0]/;

/** A TLS context that trusts the CA in `caPem` besides the system's: build it once, share it between clients. */
export function trustingCa(caPem: string): SecureContext {
  return createSecureContext({ ca: [...rootCertificates, caPem] });
}

/**
 * A lean HTTP/1.1 client for one origin and one VU: keep-alive connections, one request per
 * connection at a time (a VU's parallel requests open more), reconnecting when the server closes
 * one. Connection failures, timeouts and malformed answers reject with an error naming the origin.
 */
export class OriginClient implements ConnectionOwner {
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
