import { z } from "zod";

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  k: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  g: 1024 ** 3,
};
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "4MB", "512KB", 1048576 → bytes (binary units, as nats-server reads them). */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const factor = SIZE_UNITS[(match?.[2] || "b").toLowerCase()];
  if (!match || factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}

/** "2s", "250ms", "1m30s" → milliseconds. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === "number") return value >= 0 ? value : undefined;
  const parts = [...value.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== value.trim()) return undefined;
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * (DURATION_UNITS[unit as string] as number), 0);
}

export const Size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === undefined) ctx.addIssue({ code: "custom", message: `expected a size like 4MB or 1048576, got ${JSON.stringify(value)}` });
  return bytes ?? 0;
});

export const Duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) ctx.addIssue({ code: "custom", message: `expected a duration like 2s or 250ms, got ${JSON.stringify(value)}` });
  return ms ?? 0;
});
