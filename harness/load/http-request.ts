import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher, Pool } from "undici";

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
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

/**
 * One request through undici's dispatcher with a minimal handler: no stream per response, the
 * body collected as it arrives. `inflight` lets the run interrupt it without a listener per request.
 */
export function dispatchRequest(
  pool: Pool,
  options: { method: string; path: string; headers: Record<string, string>; body: string | Uint8Array | null; timeoutMs: number },
  inflight: Set<Abortable>,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let controller: Dispatcher.DispatchController | undefined;
    const handle: Abortable = { abort: (reason) => controller?.abort(reason) };
    inflight.add(handle);
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
      },
      onResponseStart(_c, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(_c, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        inflight.delete(handle);
        resolve({ status, headers, body: chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString() });
      },
      onResponseError(_c, error) {
        inflight.delete(handle);
        reject(error);
      },
    };
    pool.dispatch(
      {
        method: options.method,
        path: options.path,
        headers: options.headers,
        body: options.body,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      },
      handler,
    );
  });
}
