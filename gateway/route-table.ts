import { GatewayError } from "./errors.ts";
import type { GatewayManifest } from "./gateway-manifest.ts";

export interface EndpointRoute {
  service: string;
  endpoint: string;
  subject: string;
  timeoutMs: number;
  /** Metrics label: the route with the manifest's names, never raw request text. */
  label: string;
}

export interface StreamRoute {
  stream: string;
  subjects: string[];
  label: string;
}

/** `/v1/events/...` is the JetStream route, so no service may be called `events`. */
export const EVENTS_SEGMENT = "events";

const SUBJECT_TOKEN = /^[^\s*>.]+$/;
const EVENT_TYPE = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}$/;

/**
 * The only path → subject mapping the gateway has: lookups of known names in Maps built
 * from the manifest. Request text is never concatenated into an endpoint subject.
 */
export class RouteTable {
  readonly #endpoints = new Map<string, Map<string, EndpointRoute>>();
  readonly #streams = new Map<string, StreamRoute>();

  static fromManifest(manifest: GatewayManifest): RouteTable {
    const table = new RouteTable();
    manifest.services.forEach((service, s) => {
      const where = `services[${s}]`;
      if (service.name === EVENTS_SEGMENT) {
        throw GatewayError.invalidManifest(
          manifest.file,
          `${where}.name`,
          `"${EVENTS_SEGMENT}" is reserved for the gateway's JetStream route`,
        );
      }
      if (table.#endpoints.has(service.name)) {
        throw GatewayError.invalidManifest(manifest.file, `${where}.name`, `duplicate service "${service.name}"`);
      }
      const endpoints = new Map<string, EndpointRoute>();
      service.endpoints.forEach((endpoint, e) => {
        const at = `${where}.endpoints[${e}]`;
        if (endpoints.has(endpoint.name)) {
          throw GatewayError.invalidManifest(
            manifest.file,
            `${at}.name`,
            `duplicate endpoint "${endpoint.name}" in service "${service.name}"`,
          );
        }
        if (!isLiteralSubject(endpoint.subject)) {
          throw GatewayError.invalidManifest(manifest.file, `${at}.subject`, `"${endpoint.subject}" is not a literal NATS subject`);
        }
        if (!Number.isFinite(endpoint.timeoutMs) || endpoint.timeoutMs <= 0) {
          throw GatewayError.invalidManifest(
            manifest.file,
            `${at}.timeoutMs`,
            `must be a positive number of milliseconds, got ${endpoint.timeoutMs}`,
          );
        }
        endpoints.set(endpoint.name, {
          service: service.name,
          endpoint: endpoint.name,
          subject: endpoint.subject,
          timeoutMs: endpoint.timeoutMs,
          label: `/v1/${service.name}/${endpoint.name}`,
        });
      });
      table.#endpoints.set(service.name, endpoints);
      service.streams.forEach((stream, i) => {
        const at = `${where}.streams[${i}]`;
        const known = table.#streams.get(stream.name);
        if (known && known.subjects.join(" ") !== stream.subjects.join(" ")) {
          throw GatewayError.invalidManifest(
            manifest.file,
            `${at}.subjects`,
            `stream "${stream.name}" is declared twice with different subjects`,
          );
        }
        stream.subjects.forEach((subject, j) => {
          if (!isSubjectFilter(subject)) {
            throw GatewayError.invalidManifest(manifest.file, `${at}.subjects[${j}]`, `"${subject}" is not a valid NATS subject`);
          }
        });
        table.#streams.set(stream.name, { stream: stream.name, subjects: [...stream.subjects], label: `/v1/events/${stream.name}` });
      });
    });
    return table;
  }

  endpoint(service: string, endpoint: string): EndpointRoute | undefined {
    return this.#endpoints.get(service)?.get(endpoint);
  }

  hasService(service: string): boolean {
    return this.#endpoints.has(service);
  }

  stream(name: string): StreamRoute | undefined {
    return this.#streams.get(name);
  }

  serviceNames(): string[] {
    return [...this.#endpoints.keys()];
  }

  endpointSubjects(): string[] {
    return unique([...this.#endpoints.values()].flatMap((endpoints) => [...endpoints.values()].map((route) => route.subject)));
  }

  streamSubjects(): string[] {
    return unique([...this.#streams.values()].flatMap((stream) => stream.subjects));
  }
}

/**
 * The subject an event of `type` is published to: the stream's `prefix.>` (or `prefix.*`
 * for a one-token type) filled with the type's validated tokens. `undefined` when the type
 * is not `[A-Za-z0-9_-]` tokens joined by dots or no stream subject can hold it.
 */
export function eventSubject(stream: StreamRoute, type: string): string | undefined {
  if (!EVENT_TYPE.test(type)) return undefined;
  for (const filter of stream.subjects) {
    if (filter === ">") return type;
    if (filter.endsWith(".>")) return `${filter.slice(0, -1)}${type}`;
    if (filter.endsWith(".*") && !type.includes(".")) return `${filter.slice(0, -1)}${type}`;
  }
  return undefined;
}

export const EVENT_TYPE_RULE = "1 to 8 dot-separated tokens of [A-Za-z0-9_-], each at most 64 characters";

function isLiteralSubject(subject: string): boolean {
  return subject.split(".").every((token) => SUBJECT_TOKEN.test(token));
}

function isSubjectFilter(subject: string): boolean {
  const tokens = subject.split(".");
  return tokens.every((token, i) => token === "*" || (token === ">" && i === tokens.length - 1) || SUBJECT_TOKEN.test(token));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
