import { percentile } from "../../lib/percentile/index.ts";
import type { History } from "../history/index.ts";

/**
 * How finely a history sampled an operation: the spacing between consecutive attempts of it, all
 * clients merged. An unavailability shorter than the widest gap could have gone unseen, and one
 * measured as `x` is `x` give or take that gap.
 */
export interface Resolution {
  readonly attempts: number;
  /** The widest spacing between two consecutive attempts (ns). */
  readonly widestGapNs: number;
  /** Where the widest gap opens (ns since the history's time 0). */
  readonly widestGapAtNs: number;
  /** The 99th percentile of the spacings (ns, nearest rank). */
  readonly p99GapNs: number;
}

/** The resolution of `f` over the whole history (every invocation of it), or null with fewer than two attempts. */
export function measurementResolution(history: History, f: string): Resolution | null {
  const times = history
    .filter((entry) => entry.type === "invoke" && entry.f === f)
    .map((entry) => entry.time)
    .sort((a, b) => a - b);
  if (times.length < 2) return null;
  let widestGapNs = 0;
  let widestGapAtNs = times[0] as number;
  const gaps: number[] = [];
  for (let index = 1; index < times.length; index++) {
    const gap = (times[index] as number) - (times[index - 1] as number);
    gaps.push(gap);
    if (gap > widestGapNs) {
      widestGapNs = gap;
      widestGapAtNs = times[index - 1] as number;
    }
  }
  return {
    attempts: times.length,
    widestGapNs,
    widestGapAtNs,
    p99GapNs: percentile(
      gaps.sort((a, b) => a - b),
      99,
    ),
  };
}
