import { z } from "zod";
import { Size } from "./units.ts";
import { loadYamlFile } from "./yaml-file.ts";

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
  .refine((nats) => (nats.user === undefined) === (nats.pass === undefined), { message: "user and pass go together", path: ["pass"] });

export const TargetSchema = z.strictObject({
  name: z.string().optional(),
  nats: Nats,
  gateway: z.strictObject({ urls: z.array(httpUrl).min(1, "list at least one gateway URL") }).optional(),
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
  readonly gateway: { readonly urls: readonly string[] } | undefined;
  readonly manifest: string | undefined;
  readonly expect: { readonly nodes: number; readonly maxPayload: number | undefined; readonly tls: boolean | undefined };
}

export async function loadTarget(file: string): Promise<Target> {
  const raw = await loadYamlFile(file, TargetSchema);
  return {
    file,
    name: raw.name ?? file,
    nats: raw.nats,
    gateway: raw.gateway,
    manifest: raw.manifest,
    expect: { nodes: raw.expect.nodes ?? raw.nats.monitoring.length, maxPayload: raw.expect.max_payload, tls: raw.expect.tls },
  };
}
