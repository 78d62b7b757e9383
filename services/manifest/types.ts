/** A manifest after validation: every default filled in, every duration in milliseconds. */
export interface Manifest {
  /** Absolute path of the file it was loaded from. */
  file: string;
  services: ManifestService[];
}

export interface ManifestService {
  name: string;
  version: string;
  description: string;
  /** Instances to run, as in production (default 2). */
  replicas: number;
  /** Which implementation answers the endpoints; `stand-in` behaves only as its profile says. */
  behaviour: ServiceBehaviour;
  endpoints: ManifestEndpoint[];
  streams: ManifestStream[];
  kv: ManifestKv[];
  /** Downstream endpoints this service requests, as `service.endpoint`. */
  calls: string[];
  profile: ServiceProfile;
}

export const SERVICE_BEHAVIOURS = ["stand-in", "ai-integration", "model-management", "state-manager", "story-teller", "event-bus"] as const;
export type ServiceBehaviour = (typeof SERVICE_BEHAVIOURS)[number];

export interface ManifestEndpoint {
  name: string;
  /** Default `svc.<service>.<endpoint>`. */
  subject: string;
  /** Queue group (default `q`, the micro services default). */
  queue: string;
  timeoutMs: number;
  /** Request bodies that must get a successful answer (at least one). */
  samples: unknown[];
  /** JSON Schema every successful response body satisfies. */
  responseSchema: object;
  /** A request this endpoint answers no sooner than `minDelayMs` (for gateway timeout tests). */
  slowSample?: { request: unknown; minDelayMs: number };
}

export interface ManifestStream {
  name: string;
  subjects: string[];
  replicas: number;
  storage: "file" | "memory";
  duplicateWindowMs: number;
  /** Acknowledged writes must survive crashes: `gauntlet doctor` checks its replicas, storage and the servers' fsync. */
  durable: boolean;
}

export interface ManifestKv {
  bucket: string;
  replicas: number;
  history: number;
  /** As a stream's `durable`, for the bucket's stream `KV_<bucket>`. */
  durable: boolean;
}

export type LatencyProfile =
  | { distribution: "fixed"; valueMs: number }
  | { distribution: "uniform"; minMs: number; maxMs: number }
  | { distribution: "lognormal"; p50Ms: number; p99Ms: number };

export interface ServiceProfile {
  latency: LatencyProfile;
  /** Size of the filler in a stand-in's response body. */
  payloadBytes: number;
  /** Probability (0..1) that a request is answered with an injected 500. */
  errorRate: number;
  /** Probability (0..1) that a request is silently dropped: never answered, as a broken replica would (fault injection). */
  dropRate?: number;
  /** Cap on a request's own `delay_ms` (honoured by ai-integration). */
  maxDelayMs: number;
}
