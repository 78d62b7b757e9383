import { z } from "zod";

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s):// URL" });
const Tags = z.record(z.string(), z.string());
const port = z.int().min(1).max(65_535);

/** The `aws` section of a target file: the system described by its AWS resources instead of addresses. */
export const AwsSection = z.strictObject({
  region: z.string().min(1, "name a region, e.g. eu-west-1"),
  /** An emulator (moto) or a VPC endpoint; a loopback endpoint also means no non-loopback address is ever contacted. */
  endpoint: httpUrl.optional(),
  nats: z
    .strictObject({
      asg: z.string().min(1).optional(),
      tags: Tags.optional(),
      client_port: port.default(4222),
      monitoring_port: port.default(8222),
    })
    .refine((nats) => (nats.asg === undefined) !== (nats.tags === undefined), {
      message: "name the NATS nodes by asg or by tags (one of them)",
      path: ["asg"],
    }),
  nlb: z.string().min(1).optional(),
  ecs: z
    .strictObject({
      cluster: z.string().min(1),
      gateway_service: z.string().min(1).optional(),
      gateway_port: port.default(8080),
    })
    .optional(),
  safety: z
    .strictObject({
      allow_tags: Tags.default({}),
      stop_alarms: z.array(z.string().min(1)).default([]),
      /** The replication factor of the streams a node fault must not take below quorum. */
      stream_replicas: z.int().min(1).default(3),
      allow_quorum_loss: z.boolean().default(false),
    })
    .prefault({}),
});

export type AwsTargetSection = z.output<typeof AwsSection>;
