/** HdrHistogram's unit in the last place, which it subtracts before rounding a rank up. */
const ulp = (x: number) => 2 ** (Math.floor(Math.log2(x)) - 52);

/**
 * The p-th percentile (0 < p ≤ 100) of ascending `sorted` samples by nearest rank: the smallest
 * sample with at least p % of all samples at or below it, `sorted[ceil(p/100 · n) − 1]`. This
 * is HdrHistogram's `getValueAtPercentile` (and so the load engine's `p(99)` thresholds and
 * summaries), so a checker over a saved history, the run record and a load run give one p99 for
 * the same samples. k6's own Trend interpolates between neighbouring samples instead. 0 when
 * there are no samples.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const count = sorted.length;
  if (count === 0) return 0;
  const exact = (Math.min(p, 100) / 100) * count;
  const rank = Math.max(1, Math.ceil(exact - ulp(exact)));
  return sorted[Math.min(rank, count) - 1] as number;
}
