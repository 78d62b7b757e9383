import { z } from "zod";
import { loadYamlFile } from "../../lib/yaml-file/index.ts";
import { AwsSection, type AwsTargetSection } from "./aws-target.ts";
import { ConfigError } from "./config-error.ts";
import { Size } from "./units.ts";

const natsUrl = z.string().regex(/^(nats|tls|ws|wss):\/\/[^/\s]+$/, "expected a NATS URL like nats://127.0.0.1:4222");
const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s):// URL" });

const Tls = z.strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional() });

/** The NATS system account's user: JetStream's cluster operations (meta-leader step-down, peer-remove) answer only to it. */
const SystemUser = z
  .strictObject({ user: z.string().optional(), pass: z.string().optional(), creds: z.string().optional(), nkey: z.string().optional() })
  .refine((system) => (system.user === undefined) === (system.pass === undefined), { message: "user and pass go together", path: ["pass"] })
  .refine((system) => [system.user, system.creds, system.nkey].filter((given) => given !== undefined).length === 1, {
    message: "give one of user + pass, creds or nkey",
  });

/** Addresses and credentials; with an `aws` section the addresses come from discovery and the credentials from here. */
const Nats = z
  .strictObject({
    servers: z.array(natsUrl).min(1, "list at least one client URL").optional(),
    monitoring: z.array(httpUrl).min(1, "list one monitoring URL per node (http://host:8222)").optional(),
    user: z.string().optional(),
    pass: z.string().optional(),
    token: z.string().optional(),
    creds: z.string().optional(),
    nkey: z.string().optional(),
    tls: Tls.optional(),
    system: SystemUser.optional(),
  })
  .refine((nats) => (nats.user === undefined) === (nats.pass === undefined), { message: "user and pass go together", path: ["pass"] })
  .refine((nats) => nats.creds === undefined || nats.nkey === undefined, { message: "give creds or nkey, not both", path: ["nkey"] });

export const TargetSchema = z
  .strictObject({
    name: z.string().optional(),
    nats: Nats.optional(),
    /** The system described by its AWS resources: discovery fills `nats` (and `gateway` unless given). */
    aws: AwsSection.optional(),
    gateway: z
      .strictObject({
        urls: z.array(httpUrl).min(1, "list at least one gateway URL"),
        /** The NATS user the gateways connect as: lets the suite verify its least-privilege permissions. */
        nats_user: z.string().optional(),
        nats_pass: z.string().optional(),
        /** A CA (PEM file) to trust for https gateway URLs, besides the system's. */
        tls: z.strictObject({ ca: z.string() }).optional(),
      })
      .refine((gateway) => (gateway.nats_user === undefined) === (gateway.nats_pass === undefined), {
        message: "nats_user and nats_pass go together",
        path: ["nats_pass"],
      })
      .optional(),
    /** The harness's control API for a stack it runs (faults from suites); absent for systems run by others. */
    control: z.strictObject({ url: httpUrl, token: z.string().min(1) }).optional(),
    manifest: z.string().optional(),
    expect: z
      .strictObject({
        nodes: z.int().min(1).optional(),
        max_payload: Size.optional(),
        tls: z.boolean().optional(),
        /** JetStream fsyncs every write on every node (`sync_interval: always`): a warning of the doctor's becomes a failure. */
        sync: z.literal("always", { error: "expected always (the only setting that survives a power loss)" }).optional(),
        /** Streams the manifest marks durable have at least this many replicas (on file storage). */
        min_replicas: z
          .int({ error: "expected a whole number of replicas" })
          .min(1, "expected 1 to 5 replicas")
          .max(5, "expected 1 to 5 replicas")
          .optional(),
      })
      .default({}),
  })
  .refine((target) => target.nats !== undefined || target.aws !== undefined, {
    message: "missing (describe the system by nats addresses or by aws resources)",
    path: ["nats"],
  })
  .refine((target) => target.nats === undefined || target.aws !== undefined || target.nats.servers !== undefined, {
    message: "required: list at least one client URL (or describe the system by aws resources)",
    path: ["nats", "servers"],
  })
  .refine((target) => target.nats === undefined || (target.nats.servers === undefined) === (target.nats.monitoring === undefined), {
    message: "required with nats.servers: one monitoring URL per node (http://host:8222)",
    path: ["nats", "monitoring"],
  });

export type TargetFile = z.output<typeof TargetSchema>;
type NatsSection = z.output<typeof Nats> & { readonly servers: string[]; readonly monitoring: string[] };

export interface Target {
  readonly file: string;
  readonly name: string;
  readonly nats: NatsSection;
  readonly gateway:
    | {
        readonly urls: readonly string[];
        readonly nats_user?: string | undefined;
        readonly nats_pass?: string | undefined;
        readonly tls?: { readonly ca: string } | undefined;
      }
    | undefined;
  readonly control: { readonly url: string; readonly token: string } | undefined;
  readonly manifest: string | undefined;
  readonly expect: TargetExpectations;
  /** Present for a target described by AWS resources: where its nodes and replicas are faulted through. */
  readonly aws?: AwsTargetSection | undefined;
}

export interface TargetExpectations {
  readonly nodes: number;
  readonly maxPayload: number | undefined;
  readonly tls: boolean | undefined;
  readonly sync: "always" | undefined;
  readonly minReplicas: number | undefined;
}

/** What discovery found for an `aws` target, in the plain target's terms. */
export interface ResolvedAddresses {
  readonly servers: readonly string[];
  readonly monitoring: readonly string[];
  readonly gatewayUrls: readonly string[];
  readonly nodes: number;
}

export function readTargetFile(file: string): Promise<TargetFile> {
  return loadYamlFile(file, TargetSchema, { toError: ConfigError.fromProblem });
}

/** A target from its parsed file; an `aws` target needs the addresses its discovery resolved. */
export function toTarget(file: string, raw: TargetFile, resolved?: ResolvedAddresses): Target {
  const given =
    raw.nats?.servers && raw.nats.monitoring ? { ...raw.nats, servers: raw.nats.servers, monitoring: raw.nats.monitoring } : undefined;
  // Discovered addresses keep the file's credentials and TLS: every connection to a discovered node uses them.
  const nats: NatsSection | undefined =
    given ?? (resolved ? { ...raw.nats, servers: [...resolved.servers], monitoring: [...resolved.monitoring] } : undefined);
  if (!nats) throw new ConfigError(file, "aws", "an aws target is resolved by discovery first (gauntlet discover)");
  const gatewayUrls = resolved?.gatewayUrls ?? [];
  const gateway = raw.gateway ?? (gatewayUrls.length > 0 ? { urls: [...gatewayUrls] } : undefined);
  return {
    file,
    name: raw.name ?? file,
    nats,
    gateway,
    control: raw.control,
    manifest: raw.manifest,
    expect: {
      nodes: raw.expect.nodes ?? resolved?.nodes ?? nats.monitoring.length,
      maxPayload: raw.expect.max_payload,
      tls: raw.expect.tls,
      sync: raw.expect.sync,
      minReplicas: raw.expect.min_replicas,
    },
    aws: raw.aws,
  };
}

/** A target file that names its addresses (an `aws` one goes through the provider's discovery). */
export async function loadTarget(file: string): Promise<Target> {
  return toTarget(file, await readTargetFile(file));
}
