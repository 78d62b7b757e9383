import { z } from "zod";
import { Duration } from "../../lib/duration/index.ts";
import { FAULT_KINDS, type FaultKind } from "../nemesis/index.ts";

const name = z.string().min(1);
const count = z.int({ error: "expected a whole number" }).min(0, "expected 0 or more");

const DoctorProbe = z.strictObject({
  /** One doctor check by name (e.g. "meta leader"); every check when absent. */
  check: z.string().optional(),
});

const StreamProbe = z.strictObject({
  name,
  leader: z.boolean().default(true),
  replicas_current: z.boolean().default(true),
  max_lag: count.optional(),
  min_messages: count.optional(),
  /** Every event this background load had acknowledged is still in the stream (read back by sequence). */
  acked_from: z.string().optional(),
});

const ConsumerProbe = z.strictObject({
  stream: name,
  name,
  max_pending: count.optional(),
  max_ack_pending: count.optional(),
  max_redelivered: count.optional(),
});

const KvProbe = z.strictObject({ bucket: name, key: name, equals: z.string().optional() });

const SrvProbe = z.strictObject({
  /** A service name, or "*" for every service the target runs. */
  service: name,
  min_instances: z.int().min(0).default(1),
});

const GatewaySloProbe = z.strictObject({
  /** The background load (a `load: start` step) whose requests are judged: failed ones (no answer, an error status) and dropped arrivals are errors. */
  load: name,
  window: Duration.default(10_000),
  max_p99: Duration.optional(),
  max_error_rate: z.number().min(0).max(1).optional(),
});

const ClientsProbe = z.strictObject({
  /** Client connections whose name contains this (the fleet's replicas name theirs `service#index`). */
  name_contains: z.string().default(""),
  /** At least this many such connections across the nodes. */
  min_total: count.optional(),
  /** At most this many on nodes out of the load balancer's target groups (aws targets). */
  max_outside_nlb: count.optional(),
});

const HttpProbe = z.strictObject({
  /** An absolute URL, or a path on the target's first gateway. */
  url: z.string().min(1),
  method: z.enum(["GET", "POST", "HEAD"]).default("GET"),
  body: z.string().optional(),
  status: z.int().min(100).max(599).default(200),
  body_contains: z.string().optional(),
  /** A dotted path into the JSON answer (`a.b.0`) and the value it must hold. */
  json: z.strictObject({ path: z.string().min(1), equals: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).optional(),
  timeout: Duration.default(5_000),
});

const ProcessProbe = z.strictObject({
  /** Run with zx's `$` through a shell; the target's URLs are in GAUNTLET_NATS_URL, GAUNTLET_MONITORING_URL, GAUNTLET_GATEWAY_URL. */
  command: z.string().min(1),
  timeout: Duration.default(10_000),
  exit_code: z.int().default(0),
  output_contains: z.string().optional(),
});

export const PROBE_KINDS = ["doctor", "stream", "consumer", "kv", "srv", "clients", "gateway_slo", "http", "process"] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

function exactlyOne<K extends string>(kinds: readonly K[], what: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const present = kinds.filter((kind) => value[kind] !== undefined);
    if (present.length !== 1)
      ctx.addIssue({
        code: "custom",
        message:
          present.length === 0 ? `a ${what} needs one of ${kinds.join(", ")}` : `a ${what} has one kind, got ${present.join(" and ")}`,
      });
  };
}

export const ProbeSchema = z
  .strictObject({
    name: z.string().optional(),
    /** A deviation that ends within this long is tolerated (and after the method, how long recovery may take). */
    tolerate_for: Duration.default(0),
    /** Checked continuously while the method runs (false: only before and after). */
    during: z.boolean().default(true),
    doctor: DoctorProbe.optional(),
    stream: StreamProbe.optional(),
    consumer: ConsumerProbe.optional(),
    kv: KvProbe.optional(),
    srv: SrvProbe.optional(),
    clients: ClientsProbe.optional(),
    gateway_slo: GatewaySloProbe.optional(),
    http: HttpProbe.optional(),
    process: ProcessProbe.optional(),
  })
  .superRefine(exactlyOne(PROBE_KINDS, "probe"));

/** `meta-leader`, `stream-leader:NAME`, `random` or a node's name. */
const NodeSelector = z.string().regex(/^(meta-leader|random|stream-leader:[A-Za-z0-9_-]+|[A-Za-z0-9_.-]+)$/, {
  message: "expected meta-leader, stream-leader:STREAM, random or a node name",
});

const FaultStep = z.strictObject({
  fault: z.enum(FAULT_KINDS as [FaultKind, ...FaultKind[]], { error: `expected a fault of the nemesis: ${FAULT_KINDS.join(", ")}` }),
  node: NodeSelector.optional(),
  /** A stream the fault is about (kill-stream-leader, isolate-stream-leader, step-down, stall-consumer). */
  stream: z.string().optional(),
  /** A durable consumer of `stream` (step-down of a consumer leader, stall-consumer). */
  consumer: z.string().optional(),
  /** step-down: whose leader steps down (default stream). */
  leader: z.enum(["meta", "stream", "consumer"]).optional(),
  /** Service replicas: a service name, or "*" for every service. */
  service: z.string().optional(),
  /** How many targets the selector picks (default 1), or `percent` of those it matches. */
  count: z.int().min(1).optional(),
  percent: z.number().gt(0).max(100).optional(),
  /** AWS targets: only nodes in this availability zone. */
  az: z.string().optional(),
  lame_duck: z.boolean().optional(),
  /** Held this long, then healed; without it the fault stays until a `heal` step or the end of the method. */
  duration: Duration.optional(),
});

const LoadStep = z.union([
  z.strictObject({
    /** The name probes judge it by (`gateway_slo: { load }`, `stream: { acked_from }`) and a `load: { stop }` step stops. */
    start: name,
    /** A scenario of suites/load by name (as `gauntlet load` takes it), or a path to one relative to the game-day file; default: `start`. */
    scenario: name.optional(),
    /** Arrivals per second, as `gauntlet load --rate`. */
    rate: z.number().gt(0).optional(),
    /** As `gauntlet load --duration`; default: until its `load: { stop }` step or the end of the method. */
    duration: Duration.optional(),
    /** Virtual users, as `gauntlet load --vus`. */
    vus: z.int().min(1).optional(),
    /** Worker threads of the load engine. */
    workers: z.int().min(1).default(1),
    /** The scenario's `ctx.env`, as `gauntlet load --env KEY=VALUE`. */
    env: z.record(z.string(), z.string()).default({}),
  }),
  z.strictObject({ stop: name }),
]);

const STEP_KINDS = ["fault", "pause", "probe", "load", "manual", "heal"] as const;

export const StepSchema = z
  .strictObject({
    name: z.string().optional(),
    ...FaultStep.shape,
    fault: FaultStep.shape.fault.optional(),
    pause: Duration.optional(),
    probe: ProbeSchema.optional(),
    load: LoadStep.optional(),
    /** Waits for the operator (Enter) with this prompt; `--yes` goes on at once. */
    manual: z.string().optional(),
    /** Heals every fault in effect. */
    heal: z.literal("all").optional(),
  })
  .superRefine(exactlyOne(STEP_KINDS, "step"))
  .superRefine((step, ctx) => {
    if (step.fault === undefined) {
      for (const field of ["node", "stream", "consumer", "leader", "service", "count", "percent", "az", "lame_duck", "duration"] as const)
        if (step[field] !== undefined) ctx.addIssue({ code: "custom", message: "only a fault step takes this", path: [field] });
    }
    if (step.count !== undefined && step.percent !== undefined)
      ctx.addIssue({ code: "custom", message: "give count or percent, not both", path: ["percent"] });
  });

const StopCondition = z.union(
  [
    z.strictObject({ probe: ProbeSchema }),
    /** A CloudWatch alarm (aws targets): in ALARM, the game day aborts. */
    z.strictObject({ alarm: name }),
  ],
  { error: "expected a probe or an alarm" },
);

export const GameDaySchema = z.strictObject({
  title: name,
  description: z.string().default(""),
  owner: z.string().default(""),
  tags: z.array(z.string()).default([]),
  max_duration: Duration.default(15 * 60_000),
  steady_state: z.strictObject({
    /** How often the hypothesis is checked while the method runs. */
    period: Duration.default(2_000),
    probes: z.array(ProbeSchema).min(1, "state at least one probe"),
  }),
  method: z.array(StepSchema).min(1, "list at least one step"),
  rollbacks: z.array(StepSchema).default([]),
  stop_conditions: z.array(StopCondition).default([]),
  blast_radius: z
    .strictObject({
      /** Faults may leave a stream without quorum. */
      allow_quorum_loss: z.boolean().default(false),
      /** Faults may take more than half of a service's replicas down, all of them included. */
      allow_service_outage: z.boolean().default(false),
    })
    .default({ allow_quorum_loss: false, allow_service_outage: false }),
});

export type GameDay = z.output<typeof GameDaySchema>;
export type Probe = z.output<typeof ProbeSchema>;
export type Step = z.output<typeof StepSchema>;
export type StopConditionSpec = z.output<typeof StopCondition>;

export function probeKind(probe: Probe): ProbeKind {
  return PROBE_KINDS.find((kind) => probe[kind] !== undefined) as ProbeKind;
}

/** What a probe is called in the timeline and the journal. */
export function probeName(probe: Probe): string {
  if (probe.name) return probe.name;
  const kind = probeKind(probe);
  const spec = probe[kind] as Record<string, unknown>;
  const detail =
    spec.name ?? spec.service ?? spec.bucket ?? spec.load ?? spec.url ?? spec.command ?? spec.check ?? spec.name_contains ?? "";
  return detail ? `${kind} ${String(detail)}` : kind;
}
