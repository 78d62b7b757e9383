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

/** "4MB", "512KB", 1048576 → bytes (binary units, as nats-server reads them). */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const factor = SIZE_UNITS[(match?.[2] || "b").toLowerCase()];
  if (!match || factor === undefined) return undefined;
  return Math.round(Number(match[1]) * factor);
}

export const Size = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const bytes = parseSize(value);
  if (bytes === undefined) ctx.addIssue({ code: "custom", message: `expected a size like 4MB or 1048576, got ${JSON.stringify(value)}` });
  return bytes ?? 0;
});
