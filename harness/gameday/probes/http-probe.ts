import type { Probe } from "../schema.ts";
import { deviated, held, type ProbeContext, type ProbeResult } from "./probe-context.ts";

function valueAtPath(data: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (value, key) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined),
      data,
    );
}

/** An HTTP answer's status, body text and a JSON value. */
export async function httpProbe(spec: NonNullable<Probe["http"]>, context: ProbeContext): Promise<ProbeResult> {
  const gateway = context.target.gateway?.urls[0];
  const url = /^https?:\/\//.test(spec.url) ? spec.url : gateway ? `${gateway}${spec.url}` : undefined;
  if (!url) return deviated(null, `${spec.url}: a path needs a target with gateway urls`);
  const response = await context.fetch(url, {
    method: spec.method,
    ...(spec.body !== undefined ? { body: spec.body, headers: { "content-type": "application/json" } } : {}),
    signal: AbortSignal.any([AbortSignal.timeout(spec.timeout), context.signal]),
  });
  const body = await response.text();
  if (response.status !== spec.status)
    return deviated(response.status, `${spec.method} ${url}: ${response.status}, expected ${spec.status}`);
  if (spec.body_contains !== undefined && !body.includes(spec.body_contains))
    return deviated(response.status, `${spec.method} ${url}: body lacks ${JSON.stringify(spec.body_contains)}`);
  if (spec.json) {
    let found: unknown;
    try {
      found = valueAtPath(JSON.parse(body), spec.json.path);
    } catch {
      return deviated(response.status, `${spec.method} ${url}: body is not JSON`);
    }
    if (found !== spec.json.equals)
      return deviated(
        JSON.stringify(found) ?? null,
        `${spec.json.path} = ${JSON.stringify(found)}, expected ${JSON.stringify(spec.json.equals)}`,
      );
  }
  return held(response.status, `${spec.method} ${url}: ${response.status}`);
}
