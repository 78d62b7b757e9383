import { z } from "zod";
import { DURATION_EXAMPLES, DurationText } from "../../lib/duration/index.ts";
import { SERVICE_BEHAVIOURS } from "./types.ts";

const NAME = /^[-\w]+$/;
const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
/** A NATS subject without wildcards: dot-separated tokens, none empty, no spaces. */
export const CONCRETE_SUBJECT = /^[^\s.*>]+(?:\.[^\s.*>]+)*$/;
/** A subject filter: like a subject, but `*` may stand for a token and `>` may end it. */
const SUBJECT_FILTER = /^(?:[^\s.*>]+|\*)(?:\.(?:[^\s.*>]+|\*))*(?:\.>)?$|^>$/;

const name = (what: string) =>
  z.string({ error: `expected a ${what} name` }).regex(NAME, `expected a ${what} name of letters, digits, - or _`);

const duration = DurationText;

const positiveDuration = duration.refine((ms) => ms > 0, `expected a duration above 0, like ${DURATION_EXAMPLES}`);

const latency = z.discriminatedUnion(
  "distribution",
  [
    z
      .strictObject({ distribution: z.literal("fixed"), value: duration })
      .transform((l) => ({ distribution: "fixed" as const, valueMs: l.value })),
    z
      .strictObject({ distribution: z.literal("uniform"), min: duration, max: duration })
      .refine((l) => l.max >= l.min, { message: "max must not be below min", path: ["max"] })
      .transform((l) => ({ distribution: "uniform" as const, minMs: l.min, maxMs: l.max })),
    z
      .strictObject({ distribution: z.literal("lognormal"), p50: positiveDuration, p99: positiveDuration })
      .refine((l) => l.p99 >= l.p50, { message: "p99 must not be below p50", path: ["p99"] })
      .transform((l) => ({ distribution: "lognormal" as const, p50Ms: l.p50, p99Ms: l.p99 })),
  ],
  { error: "expected distribution fixed, uniform or lognormal" },
);

const profile = z
  .strictObject({
    latency: latency.prefault({ distribution: "fixed", value: "0ms" }),
    payloadBytes: z.int({ error: "expected a whole number of bytes" }).min(0, "expected 0 or more bytes").default(64),
    errorRate: z
      .number({ error: "expected a probability from 0 to 1" })
      .min(0, "expected a probability from 0 to 1")
      .max(1, "expected a probability from 0 to 1")
      .default(0),
    dropRate: z
      .number({ error: "expected a probability from 0 to 1" })
      .min(0, "expected a probability from 0 to 1")
      .max(1, "expected a probability from 0 to 1")
      .optional(),
    maxDelay: duration.prefault("10s"),
  })
  .transform((p) => ({
    latency: p.latency,
    payloadBytes: p.payloadBytes,
    errorRate: p.errorRate,
    ...(p.dropRate ? { dropRate: p.dropRate } : {}),
    maxDelayMs: p.maxDelay,
  }));

const jsonSchema = z.record(z.string(), z.unknown(), { error: "expected a JSON Schema object" });

function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isJsonValue);
  return false;
}

const endpoint = z.strictObject({
  name: name("endpoint"),
  subject: z
    .string({ error: "expected a NATS subject" })
    .regex(CONCRETE_SUBJECT, "expected a NATS subject like svc.user.get (no spaces, empty tokens or wildcards)")
    .optional(),
  queue: name("queue group").default("q"),
  timeout: positiveDuration,
  samples: z
    .array(z.unknown().refine(isJsonValue, "expected a JSON value (no .inf, .nan or dates)"), {
      error: "expected a list of sample requests",
    })
    .min(1, "expected at least one sample request"),
  responseSchema: jsonSchema,
  slowSample: z.strictObject({ request: z.unknown(), minDelay: positiveDuration }).optional(),
});

const stream = z.strictObject({
  name: z
    .string({ error: "expected a stream name" })
    .regex(/^[^\s.*>/\\]+$/, "expected a stream name without spaces, dots, wildcards or slashes"),
  subjects: z
    .array(z.string().regex(SUBJECT_FILTER, "expected a NATS subject filter like events.>"), { error: "expected a list of subjects" })
    .min(1, "expected at least one subject"),
  replicas: z
    .int({ error: "expected a whole number of replicas" })
    .min(1, "expected 1 to 5 replicas")
    .max(5, "expected 1 to 5 replicas")
    .default(3),
  storage: z.enum(["file", "memory"], { error: "expected storage file or memory" }).default("file"),
  duplicateWindow: positiveDuration.prefault("2m"),
  durable: z.boolean({ error: "expected true or false" }).default(false),
});

const kv = z.strictObject({
  bucket: name("bucket"),
  replicas: z
    .int({ error: "expected a whole number of replicas" })
    .min(1, "expected 1 to 5 replicas")
    .max(5, "expected 1 to 5 replicas")
    .default(3),
  history: z
    .int({ error: "expected a whole number of revisions" })
    .min(1, "expected 1 to 64 revisions")
    .max(64, "expected 1 to 64 revisions")
    .default(1),
  durable: z.boolean({ error: "expected true or false" }).default(false),
});

const service = z.strictObject({
  name: name("service"),
  version: z.string({ error: "expected a semantic version like 1.2.3" }).regex(SEMVER, "expected a semantic version like 1.2.3"),
  description: z.string({ error: "expected a description" }).default(""),
  replicas: z.int({ error: "expected a whole number of replicas" }).min(1, "expected at least 1 replica").default(2),
  behaviour: z.enum(SERVICE_BEHAVIOURS, { error: `expected one of ${SERVICE_BEHAVIOURS.join(", ")}` }).default("stand-in"),
  endpoints: z.array(endpoint, { error: "expected a list of endpoints" }).min(1, "expected at least one endpoint"),
  streams: z.array(stream, { error: "expected a list of streams" }).default([]),
  kv: z.array(kv, { error: "expected a list of KV buckets" }).default([]),
  calls: z.array(z.string({ error: "expected service.endpoint" }), { error: "expected a list of service.endpoint" }).default([]),
  profile: profile.prefault({}),
});

/** Top-level `x-` keys are free for YAML anchors (shared schemas), as in docker compose files. */
function withoutExtensions(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith("x-")));
}

export const manifestSchema = z.preprocess(
  withoutExtensions,
  z.strictObject({
    services: z.array(service, { error: "expected a list of services" }).min(1, "expected at least one service"),
  }),
);

export type RawManifest = z.output<typeof manifestSchema>;
