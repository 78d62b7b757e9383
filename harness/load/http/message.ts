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
