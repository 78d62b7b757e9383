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

/** `--seed`: a whole number the nemesis's PRNG takes (32 bits); undefined when not given. */
export function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > 0xffffffff)
    throw new GauntletError(`--seed must be a whole number from 0 to 4294967295, got "${value}"`);
  return Number(value);
}

export function optionalString(value: ParsedOptions[string]): string | undefined {
  return typeof value === "string" ? value : undefined;
}
