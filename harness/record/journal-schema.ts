import { z } from "zod";

/**
 * A game day's `journal.json`: what happened, in order, with times in seconds since the start.
 * Versioned like the summary: additive changes keep the version.
 */
export const JOURNAL_SCHEMA_VERSION = "gauntlet.journal/v1";

export const JournalVerdict = z.enum(["held", "deviated", "could-not-run", "aborted"]);
export type JournalVerdict = z.infer<typeof JournalVerdict>;

export const JournalEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("phase"), t: z.number(), phase: z.enum(["before", "method", "after", "rollbacks"]) }),
  z.object({
    type: z.literal("step"),
    t: z.number(),
    end: z.number().optional(),
    index: z.number(),
    kind: z.string(),
    label: z.string(),
    outcome: z.enum(["ok", "failed", "skipped"]),
    detail: z.string().default(""),
  }),
  z.object({
    type: z.literal("rollback"),
    t: z.number(),
    end: z.number().optional(),
    index: z.number(),
    label: z.string(),
    outcome: z.enum(["ok", "failed"]),
    detail: z.string().default(""),
  }),
  z.object({
    type: z.literal("fault"),
    t: z.number(),
    end: z.number().optional(),
    fault: z.string(),
    target: z.record(z.string(), z.unknown()),
  }),
  z.object({
    type: z.literal("deviation"),
    t: z.number(),
    probe: z.string(),
    phase: z.string(),
    detail: z.string(),
    tolerance: z.string(),
  }),
  z.object({ type: z.literal("note"), t: z.number(), text: z.string() }),
  z.object({
    type: z.literal("abort"),
    t: z.number(),
    reason: z.string(),
    by: z.enum(["operator", "stop-condition", "max-duration", "signal"]),
  }),
  z.object({
    type: z.literal("aws-call"),
    t: z.number(),
    service: z.string(),
    operation: z.string(),
    outcome: z.string(),
    resource: z.string().optional(),
  }),
]);
export type JournalEvent = z.infer<typeof JournalEvent>;

/** One reading of a probe: value and whether it met its tolerance. */
export const JournalProbeReading = z.object({
  t: z.number(),
  phase: z.string(),
  ok: z.boolean(),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
  detail: z.string(),
});
export type JournalProbeReading = z.infer<typeof JournalProbeReading>;

export const GameDayJournal = z.object({
  schema: z.literal(JOURNAL_SCHEMA_VERSION),
  title: z.string(),
  file: z.string(),
  description: z.string(),
  owner: z.string(),
  tags: z.array(z.string()),
  target: z.string(),
  startedAt: z.string(),
  durationS: z.number(),
  verdict: JournalVerdict,
  reason: z.string(),
  exitCode: z.number(),
  probes: z.array(z.object({ name: z.string(), kind: z.string(), tolerance: z.string(), readings: z.array(JournalProbeReading) })),
  load: z.array(
    z.object({
      name: z.string(),
      /** The load scenario it ran (suites/load). */
      scenario: z.string().default(""),
      /** Per second of the game day: requests answered, failed ones, arrivals dropped (no free VU), latency percentiles (ms). */
      seconds: z.array(
        z.object({
          t: z.number(),
          requests: z.number(),
          errors: z.number(),
          dropped: z.number().default(0),
          p50: z.number(),
          p99: z.number(),
        }),
      ),
    }),
  ),
  events: z.array(JournalEvent),
});
export type GameDayJournal = z.infer<typeof GameDayJournal>;
