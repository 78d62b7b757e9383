import { z } from "zod";
import { describeIssue, fieldPath } from "../../lib/field-problem/index.ts";

/** Jepsen's four entry types: `info` is an operation whose outcome is unknown (e.g. a timeout). */
export const EntryTypeSchema = z.enum(["invoke", "ok", "fail", "info"]);
export type EntryType = z.infer<typeof EntryTypeSchema>;

export const ErrorInfoSchema = z.object({
  class: z.string().min(1),
  message: z.string(),
});
export type ErrorInfo = z.infer<typeof ErrorInfoSchema>;

export const NemesisValueSchema = z.object({
  fault: z.string().min(1),
  target: z.unknown().optional(),
});
export type NemesisValue = z.infer<typeof NemesisValueSchema>;

export const NEMESIS_PROCESS = "nemesis";
export const PROBE_PROCESS = "probe";

/**
 * One line of `history.jsonl`. `time` is integer nanoseconds since the run started, from a
 * monotonic clock; `op` pairs an invocation with its completion (several operations of one
 * client may be in flight at once, so the process alone cannot pair them).
 */
export const HistoryEntrySchema = z
  .object({
    index: z.number().int().nonnegative(),
    time: z.number().int().nonnegative(),
    type: EntryTypeSchema,
    process: z.union([z.string().min(1), z.number().int()]),
    f: z.string().min(1),
    op: z.number().int().nonnegative().optional(),
    value: z.unknown().optional(),
    error: ErrorInfoSchema.optional(),
  })
  .superRefine((entry, context) => {
    if (entry.process !== NEMESIS_PROCESS) return;
    if (entry.f !== "start" && entry.f !== "stop") {
      context.addIssue({ code: "custom", path: ["f"], message: 'a nemesis entry has f "start" or "stop"' });
    }
    const value = NemesisValueSchema.safeParse(entry.value);
    if (!value.success) {
      context.addIssue({ code: "custom", path: ["value"], message: "a nemesis entry has value {fault, target}" });
    }
  });
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
export type History = readonly HistoryEntry[];

/** The most useful schema issue of an entry, as `field: problem`. */
export function describeEntryIssue(error: z.ZodError, entry: unknown): string {
  const { path, problem } = describeIssue(error, entry);
  return `${path.length > 0 ? fieldPath(path) : "entry"}: ${problem}`;
}
