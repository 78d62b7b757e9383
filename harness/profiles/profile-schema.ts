import { z } from "zod";
import { Duration } from "../../lib/duration/index.ts";
import { type AgentsSpec, parseAgentsSpec } from "../load/agents/index.ts";

const LoadStep = z.strictObject({
  /** A scenario of suites/load by name, or a path. */
  scenario: z.string().min(1),
  rate: z.number().positive().optional(),
  duration: Duration.optional(),
  /** Replace the scenario's thresholds, in k6 syntax: `{ http_req_duration: ["p(99)<300"] }`. */
  thresholds: z.record(z.string(), z.array(z.union([z.string(), z.looseObject({ threshold: z.string() })]))).optional(),
  env: z.record(z.string(), z.string()).optional(),
});

/** A profile file as written: every field optional, so `extends` can fill the rest. */
export const ProfileFile = z.strictObject({
  description: z.string().optional(),
  extends: z.string().optional(),
  stack: z
    .strictObject({
      nodes: z.int().min(1).optional(),
      fleet_mode: z.enum(["process", "cohosted"]).optional(),
      gateways: z.int().min(0).optional(),
      network_faults: z.boolean().optional(),
      /** TLS everywhere on the local stack (as `--tls`). */
      tls: z.boolean().optional(),
      /** How nodes are linked: kernel (namespaces + iptables), proxy, auto (kernel where it works), none. */
      network: z.enum(["kernel", "proxy", "auto", "none"]).optional(),
      /** JetStream on the local stack fsyncs every write (as `--sync-always`). */
      sync: z.literal("always").optional(),
    })
    .optional(),
  /** Added to the target's `expect` for this run, as in a target file: turns the doctor's durability warnings into failures. */
  expect: z
    .strictObject({
      sync: z.literal("always").optional(),
      min_replicas: z.int().min(1).max(5).optional(),
    })
    .optional(),
  e2e: z.strictObject({ enabled: z.boolean().optional() }).optional(),
  failover: z
    .strictObject({
      enabled: z.boolean().optional(),
      /** Experiment names of harness/failover/catalog.ts, or `all`. */
      faults: z.array(z.string().min(1)).optional(),
      seed: z.int().optional(),
      /** Passed to the failover suite (experiment durations and bounds). */
      env: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  load: z
    .strictObject({
      enabled: z.boolean().optional(),
      scenarios: z.array(LoadStep).optional(),
      /** Every scenario split over load agents: local:N or ws[s]://host:port,… (their token in GAUNTLET_AGENT_TOKEN). */
      agents: z
        .string()
        .superRefine((value, ctx) => {
          try {
            parseAgentsSpec(value, "agents");
          } catch (error) {
            ctx.addIssue({ code: "custom", message: (error as Error).message });
          }
        })
        .optional(),
    })
    .optional(),
  /** Between suites: how long an unhealthy system gets to recover by itself before the stack is restarted (or marked degraded). */
  health: z.strictObject({ settle: Duration.optional() }).optional(),
});
export type ProfileFile = z.output<typeof ProfileFile>;
export type LoadStep = z.output<typeof LoadStep>;

/** A profile with `extends` resolved and defaults applied. */
export interface Profile {
  readonly name: string;
  readonly file: string;
  readonly description: string;
  readonly stack: {
    readonly nodes: number;
    readonly fleetMode: "process" | "cohosted";
    readonly gateways: number;
    /** How the local stack's nodes are linked (`none` unless partitions are wanted). */
    readonly network: "kernel" | "proxy" | "auto" | "none";
    readonly tls: boolean;
    readonly syncAlways: boolean;
  };
  readonly expect: { readonly sync: "always" | undefined; readonly minReplicas: number | undefined };
  readonly e2e: { readonly enabled: boolean };
  readonly failover: {
    readonly enabled: boolean;
    readonly faults: readonly string[];
    readonly seed: number | undefined;
    readonly env: Record<string, string>;
  };
  readonly load: { readonly enabled: boolean; readonly scenarios: readonly LoadStep[]; readonly agents?: AgentsSpec | undefined };
  readonly health: { readonly settleMs: number };
}
