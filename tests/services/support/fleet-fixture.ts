import { connect, errors, headers, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { Ajv, type ValidateFunction } from "ajv";
import { LocalCluster, type StartedLocalCluster } from "../../../harness/providers/local/index.ts";
import type { Manifest, ManifestEndpoint } from "../../../services/manifest/index.ts";
import { fleetPermissions } from "../../../services/runtime/index.ts";

export const ADMIN = { user: "admin", pass: "admin-secret" };
export const SERVICE_USER = { user: "fleet", pass: "fleet-secret" };

/** A 3-node JetStream cluster (R3 streams need 3) with an unrestricted admin and a service user limited to `fleetPermissions`. */
export function startCluster(manifest: Manifest): Promise<StartedLocalCluster> {
  return new LocalCluster()
    .withNodes(3)
    .withConfig({
      authorization: {
        users: [
          { user: ADMIN.user, password: ADMIN.pass },
          { user: SERVICE_USER.user, password: SERVICE_USER.pass, permissions: fleetPermissions(manifest) },
        ],
      },
    })
    .start();
}

export function connectAdmin(cluster: StartedLocalCluster): Promise<NatsConnection> {
  return connect({ servers: cluster.clientUrls, ...ADMIN, name: "test-client" });
}

export interface Answer {
  msg: Msg;
  code: number | undefined;
  error: string | undefined;
  body: unknown;
}

export async function request(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  options: { timeout?: number; traceparent?: string } = {},
): Promise<Answer> {
  const h = headers();
  if (options.traceparent) h.set("traceparent", options.traceparent);
  const msg = await nc.request(subject, typeof body === "string" ? body : JSON.stringify(body), {
    timeout: options.timeout ?? 5_000,
    headers: h,
  });
  const code = msg.headers?.get("Nats-Service-Error-Code");
  return {
    msg,
    code: code ? Number(code) : undefined,
    error: msg.headers?.get("Nats-Service-Error") || undefined,
    body: msg.data.length > 0 ? msg.json() : undefined,
  };
}

/** A sample's answer; stand-ins with an error rate inject 500s now and then, so those are retried (a few times). */
export async function sampleAnswer(nc: NatsConnection, endpoint: ManifestEndpoint, sample: unknown): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    const answer = await request(nc, endpoint.subject, sample, { timeout: endpoint.timeoutMs });
    if (!(answer.code === 500 && answer.error?.startsWith("injected fault")) || attempt === 10) return answer;
  }
}

export function schemaValidators(manifest: Manifest): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true });
  return new Map(manifest.services.flatMap((s) => s.endpoints.map((e) => [e.subject, ajv.compile(e.responseSchema)] as const)));
}

/**
 * Reads until `done` holds for what was read (bounded by count, not by a timed assertion); giving
 * up, says what it read last.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  attempts = 100,
  intervalMs = 100,
): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await read();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`gave up waiting for ${what} after ${attempts} reads; last read: ${JSON.stringify(last)}`);
}

/** `$SRV.PING` answers grouped by service name, read with the micro services protocol directly. */
export async function discover(
  nc: NatsConnection,
  verb: "PING" | "INFO" | "STATS" = "PING",
  name?: string,
): Promise<Map<string, Record<string, unknown>[]>> {
  const subject = name ? `$SRV.${verb}.${name}` : `$SRV.${verb}`;
  const found = new Map<string, Record<string, unknown>[]>();
  try {
    for await (const msg of await nc.requestMany(subject, "", { maxWait: 1_000 })) {
      if (msg.data.length === 0) continue;
      const answer = msg.json<Record<string, unknown>>();
      const list = found.get(answer.name as string) ?? [];
      list.push(answer);
      found.set(answer.name as string, list);
    }
  } catch (error) {
    const noResponders = error instanceof errors.NoRespondersError || (error instanceof errors.RequestError && error.isNoResponders());
    if (!noResponders) throw error;
  }
  return found;
}
