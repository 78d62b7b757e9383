import type { Fetch } from "../net/trusted-fetch.ts";

export type GatewayReadiness = { readonly ready: true } | { readonly ready: false; readonly detail: string };

/** One `GET /readyz` of a gateway: ready on a 2xx, else why not (its status and error message, or the connection error). */
export async function probeGatewayReadiness(
  url: string,
  { fetch = globalThis.fetch, timeoutMs = 1_000 }: { fetch?: Fetch; timeoutMs?: number } = {},
): Promise<GatewayReadiness> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await response.text();
    if (response.ok) return { ready: true };
    let message = body.slice(0, 200);
    try {
      message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not the gateway's JSON error shape: keep the text
    }
    return { ready: false, detail: `/readyz answered ${response.status}${message ? `: ${message}` : ""}` };
  } catch (error) {
    return { ready: false, detail: `/readyz unreachable: ${(error as Error).message}` };
  }
}
