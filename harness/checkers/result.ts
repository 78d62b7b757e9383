/** `unknown`: the history holds too little to decide (e.g. nothing was published). */
export type Validity = true | false | "unknown";

/** What every checker returns; JSON-serializable so it can go into summary.json as is. */
export interface CheckResult<Details = unknown> {
  readonly checker: string;
  readonly valid: Validity;
  /** One short sentence a human reads first. */
  readonly reason: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly details: Details;
}

/** Jepsen's merge: any false → false; else any unknown → unknown; else true. */
export function mergeValidity(values: Iterable<Validity>): Validity {
  let merged: Validity = true;
  for (const value of values) {
    if (value === false) return false;
    if (value === "unknown") merged = "unknown";
  }
  return merged;
}

export function nsToMs(ns: number): string {
  return `${(ns / 1e6).toFixed(1)} ms`;
}

/** Keeps the first `limit` examples and says how many there were. */
export function examples<T>(items: readonly T[], limit: number): { readonly total: number; readonly examples: readonly T[] } {
  return { total: items.length, examples: items.slice(0, limit) };
}
