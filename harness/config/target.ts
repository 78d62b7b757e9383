import { z } from "zod";
import { loadYamlFile } from "../../lib/yaml-file/index.ts";
import { ConfigError } from "./config-error.ts";
import { Size } from "./units.ts";

const natsUrl = z.string().regex(/^(nats|tls|ws|wss):\/\/[^/\s]+$/, "expected a NATS URL like nats://127.0.0.1:4222");
const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s):// URL" });

const Tls = z.strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional() });

const Nats = z
  .strictObject({
    servers: z.array(natsUrl).min(1, "list at least one client URL"),
    monitoring: z.array(httpUrl).min(1, "list one monitoring URL per node (http://host:8222)"),
    user: z.string().optional(),
    pass: z.string().optional(),
    token: z.string().optional(),
    creds: z.string().optional(),
    nkey: z.string().optional(),
    tls: Tls.optional(),
  })
  .refine((nats) => (nats.user === undefined) === (nats.pass === undefined), { message: "user and pass go together", path: ["pass"] })
  .refine((nats) => nats.creds === undefined || nats.nkey === undefined, { message: "give creds or nkey, not both", path: ["nkey"] });

export const TargetSchema = z.strictObject({
  name: z.string().optional(),
  nats: Nats,
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
    })
    .default({}),
});

export interface Target {
  readonly file: string;
  readonly name: string;
  readonly nats: z.output<typeof Nats>;
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
  readonly expect: { readonly nodes: number; readonly maxPayload: number | undefined; readonly tls: boolean | undefined };
}

export async function loadTarget(file: string): Promise<Target> {
  const raw = await loadYamlFile(file, TargetSchema, { toError: ConfigError.fromProblem });
  return {
    file,
    name: raw.name ?? file,
    nats: raw.nats,
    gateway: raw.gateway,
    control: raw.control,
    manifest: raw.manifest,
    expect: { nodes: raw.expect.nodes ?? raw.nats.monitoring.length, maxPayload: raw.expect.max_payload, tls: raw.expect.tls },
  };
}
