import { z } from "zod";

/**
 * The run record's `summary.json`: a stable, versioned contract. Additive changes keep the
 * version; a removal or a change of meaning bumps it. Suites add their own optional sections.
 */
export const SUMMARY_SCHEMA_VERSION = "gauntlet.summary/v1";

export const TestResult = z.object({
  name: z.string(),
  fullName: z.string(),
  file: z.string(),
  state: z.enum(["passed", "failed", "skipped"]),
  durationMs: z.number(),
  errors: z.array(z.object({ message: z.string(), stack: z.string().optional() })),
});
export type TestResult = z.infer<typeof TestResult>;

export const SuiteResult = z.object({
  name: z.string(),
  verdict: z.enum(["pass", "fail", "error"]),
  durationMs: z.number(),
  tests: z.array(TestResult),
});
export type SuiteResult = z.infer<typeof SuiteResult>;

export const Summary = z.object({
  schema: z.literal(SUMMARY_SCHEMA_VERSION),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  profile: z.string(),
  target: z.object({ kind: z.enum(["local", "file"]), path: z.string().optional(), nodes: z.number().int() }),
  verdict: z.enum(["pass", "fail", "error"]),
  exitCode: z.number().int(),
  reasons: z.array(z.string()),
  suites: z.array(SuiteResult),
  cluster: z.object({ before: z.unknown().optional(), after: z.unknown().optional() }).optional(),
});
export type Summary = z.infer<typeof Summary>;
