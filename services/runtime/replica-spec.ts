import type { Manifest, ManifestService, ServiceBehaviour } from "../manifest/types.ts";

/** A downstream endpoint as a replica needs it: where to send, how long to wait, what to send. */
export interface DownstreamTarget {
  /** `service.endpoint` as written in the manifest. */
  call: string;
  service: string;
  endpoint: string;
  behaviour: ServiceBehaviour;
  subject: string;
  timeoutMs: number;
  sample: unknown;
}

/** Everything one replica needs, as plain JSON (a child process gets it without loading the manifest). */
export interface ReplicaSpec {
  service: ManifestService;
  index: number;
  calls: DownstreamTarget[];
  /** Tags the instance in its micro service metadata, so readiness counts only this fleet's replicas. */
  fleetId?: string;
  /** More `$SRV` metadata for this instance (the AWS twin's ECS task id). */
  metadata?: Record<string, string>;
}

export function replicaSpec(manifest: Manifest, service: ManifestService, index: number, fleetId?: string): ReplicaSpec {
  const calls = service.calls.map((call) => {
    const [serviceName, endpointName] = call.split(".") as [string, string];
    const target = manifest.services.find((s) => s.name === serviceName);
    const endpoint = target?.endpoints.find((e) => e.name === endpointName);
    if (!target || !endpoint) throw new Error(`${service.name} calls ${call}, which the manifest does not declare`);
    return {
      call,
      service: target.name,
      endpoint: endpoint.name,
      behaviour: target.behaviour,
      subject: endpoint.subject,
      timeoutMs: endpoint.timeoutMs,
      sample: endpoint.samples[0],
    };
  });
  return { service, index, calls, ...(fleetId ? { fleetId } : {}) };
}
