import { z } from "zod";

const names = z.array(z.string().min(1)).min(1);
const nanoseconds = z.number().int().positive();

/**
 * The checkers' options as data (e.g. from a profile file): parse with this, then pass the
 * result to `checkHistory`. Durations are integer nanoseconds, as in the history.
 */
export const CheckHistoryOptionsSchema = z
  .object({
    queue: z
      .object({ publishF: names, readF: names, checkOrder: z.boolean(), maxExamples: z.number().int().positive() })
      .partial()
      .strict(),
    kvRegister: z.object({ putF: names, getF: names, maxExamples: z.number().int().positive() }).partial().strict(),
    availability: z
      .object({
        fs: names,
        maxRecoveryNs: nanoseconds,
        maxGapNs: nanoseconds,
        windowGap: z
          .object({ client: z.string().min(1), below: z.number().positive().optional(), atLeast: z.number().positive().optional() })
          .strict(),
      })
      .partial()
      .strict(),
    reconnection: z
      .object({
        expectedInstances: z.record(z.string().min(1), z.number().int().positive()),
        gateways: z.array(z.string().min(1)).optional(),
        boundNs: nanoseconds,
      })
      .strict(),
    latency: z.object({ fs: names, includeFailures: z.boolean(), maxP99Ns: nanoseconds }).partial().strict(),
  })
  .partial()
  .strict();
