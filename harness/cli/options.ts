import { GauntletError } from "../../lib/errors/index.ts";
import type { ParsedOptions } from "./command.ts";

export function parseCount(flag: string, value: ParsedOptions[string], fallback: number): number {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (typeof value !== "string" || !Number.isInteger(count) || count < 1) {
    throw new GauntletError(`${flag} must be a whole number ≥ 1, got ${JSON.stringify(value)}`);
  }
  return count;
}

export function optionalString(value: ParsedOptions[string]): string | undefined {
  return typeof value === "string" ? value : undefined;
}
