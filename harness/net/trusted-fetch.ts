import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { Agent, fetch as undiciFetch } from "undici";

export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

const trusting = new Map<string, Fetch>();

/**
 * `fetch` that trusts the CA in `caFile` (PEM) besides the system's, for https URLs whose
 * certificates a private CA signed (a local TLS stack's run CA); plain `fetch` without one.
 */
export function fetchTrusting(caFile: string | undefined): Fetch {
  if (!caFile) return fetch;
  let trusted = trusting.get(caFile);
  if (!trusted) {
    const dispatcher = new Agent({ connect: { ca: [...rootCertificates, readFileSync(caFile, "utf8")] } });
    trusted = (url, init) => undiciFetch(url, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
    trusting.set(caFile, trusted);
  }
  return trusted;
}
