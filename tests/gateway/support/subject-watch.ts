import type { NatsConnection } from "@nats-io/nats-core";
import { FORWARDED_HEADERS, GATEWAY_INBOX_PREFIX, type GatewayManifest } from "../../../gateway/index.ts";
import { headerRecord } from "./responders.ts";

const EVENT_HEADERS = new Set(["Nats-Msg-Id", "Nats-Expected-Stream"]);

export interface SubjectWatch {
  /** Messages seen on any subject. */
  count: number;
  /** Subjects outside the manifest's endpoint and stream subjects and the gateway's inbox. */
  outside: string[];
  /** `subject: header` for headers a client could only have smuggled in. */
  smuggled: string[];
}

/**
 * Subscribes to `>` and records every message the gateway could not legitimately have
 * caused. Its subscription also counts as a responder everywhere, so a subject with no
 * service times out instead of answering 503 while it runs.
 */
export function watchSubjects(nc: NatsConnection, manifest: GatewayManifest): SubjectWatch {
  const endpointSubjects = new Set(manifest.services.flatMap((service) => service.endpoints.map((endpoint) => endpoint.subject)));
  const streamPrefixes = manifest.services.flatMap((service) =>
    service.streams.flatMap((stream) => stream.subjects.filter((subject) => subject.endsWith(".>")).map((subject) => subject.slice(0, -1))),
  );
  const watch: SubjectWatch = { count: 0, outside: [], smuggled: [] };
  nc.subscribe(">", {
    callback: (_err, msg) => {
      watch.count += 1;
      if (msg.subject.startsWith(`${GATEWAY_INBOX_PREFIX}.`)) return;
      const isEvent = streamPrefixes.some((prefix) => msg.subject.startsWith(prefix));
      if (!endpointSubjects.has(msg.subject) && !isEvent) {
        watch.outside.push(msg.subject);
        return;
      }
      for (const name of Object.keys(headerRecord(msg))) {
        const allowed = (FORWARDED_HEADERS as readonly string[]).includes(name) || (isEvent && EVENT_HEADERS.has(name));
        if (!allowed) watch.smuggled.push(`${msg.subject}: ${name}`);
      }
    },
  });
  return watch;
}
