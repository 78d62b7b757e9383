import type { Manifest } from "../manifest/types.ts";

export interface ServicePermissions {
  publish: { allow: string[] };
  subscribe: { allow: string[] };
}

/** What a service user needs in nats-server `authorization`: its endpoints, replies, discovery, calls, JetStream and KV. */
export function fleetPermissions(manifest: Manifest): ServicePermissions {
  const services = manifest.services;
  const endpointSubjects = services.flatMap((s) => s.endpoints.map((e) => e.subject));
  const calledSubjects = services.flatMap((s) =>
    s.calls.map((call) => {
      const [service, endpoint] = call.split(".");
      return services.find((t) => t.name === service)?.endpoints.find((e) => e.name === endpoint)?.subject as string;
    }),
  );
  const streamSubjects = services.flatMap((s) => s.streams.flatMap((stream) => stream.subjects));
  const kvSubjects = services.flatMap((s) => s.kv.map((kv) => `$KV.${kv.bucket}.>`));
  const usesJetStream = services.some((s) => s.streams.length > 0 || s.kv.length > 0);
  const jetStream = usesJetStream ? ["$JS.API.>", "$JS.ACK.>"] : [];
  // $SRV.> to publish lets `startFleet().waitReady()` probe discovery with the same user.
  return {
    publish: { allow: unique(["_INBOX.>", "$SRV.>", ...calledSubjects, ...streamSubjects, ...kvSubjects, ...jetStream]) },
    subscribe: { allow: unique(["_INBOX.>", "$SRV.>", ...endpointSubjects]) },
  };
}

function unique(subjects: string[]): string[] {
  return [...new Set(subjects)];
}
