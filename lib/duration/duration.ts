import { z } from "zod";

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

export const DURATION_EXAMPLES = "500ms, 30s, 1m30s or 2h";

/**
 * The one duration grammar (k6's and Go's, without negatives): one or more `<number><unit>`
 * parts with units ms, s, m, h ("500ms", "30s", "1m30s", "2h", "1.5m"), or "0". A number is
 * milliseconds. Undefined when the value is not a duration.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value : undefined;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (text === "0") return 0;
  if (text.length === 0) return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (!match) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  }
  return total;
}

const EXPECTED = `expected a duration like ${DURATION_EXAMPLES}`;

function toMilliseconds(value: string | number, ctx: z.RefinementCtx): number {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `${EXPECTED}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
}

/** A duration written as text in a config file → milliseconds. */
export const DurationText = z.string({ error: EXPECTED }).transform(toMilliseconds);

/** A duration as text, or a number of milliseconds → milliseconds. */
export const Duration = z.union([z.string(), z.number()], { error: `${EXPECTED} (or a number of milliseconds)` }).transform(toMilliseconds);
