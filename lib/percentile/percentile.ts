/** HdrHistogram's unit in the last place, which it subtracts before rounding a rank up. */
const ulp = (x: number) => 2 ** (Math.floor(Math.log2(x)) - 52);

/**
 * The 1-based rank of the p-th percentile (0 < p ≤ 100) among `count` samples by nearest rank,
 * `ceil(p/100 · count)`, computed as HdrHistogram's `getValueAtPercentile` does (so 99.9 % of
 * 1000 is rank 999, not 1000 by a floating-point hair).
 */
export function nearestRank(p: number, count: number): number {
  const exact = (Math.min(p, 100) / 100) * count;
  return Math.min(count, Math.max(1, Math.ceil(exact - ulp(exact))));
}

/**
 * The p-th percentile of ascending `sorted` samples by nearest rank: the smallest sample with
 * at least p % of all samples at or below it. This is HdrHistogram's definition (and so the load
 * engine's `p(99)` thresholds and summaries), so a checker over a saved history, the run record,
 * a report and a load run give one p99 for the same samples. k6's own Trend interpolates between
 * neighbouring samples instead. 0 when there are no samples.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[nearestRank(p, sorted.length) - 1] as number;
}
