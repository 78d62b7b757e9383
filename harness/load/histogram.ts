import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";

/** Latencies are recorded in microseconds, 1 µs to 1 h, three significant digits (0.1 % resolution). */
export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, autoResize: true });
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded);
}

/** Adds every encoded histogram into one: the exact merge of the samples they hold. */
export function mergeEncoded(encoded: readonly string[]): Histogram {
  const merged = newHistogram();
  for (const item of encoded) merged.add(decodeHistogram(item));
  return merged;
}

export type TrendStat = "avg" | "min" | "max" | "med" | `p(${string})` | "count";

/** A trend statistic in milliseconds (k6's unit) from a microsecond histogram. */
export function trendStat(histogram: Histogram, stat: string): number {
  if (histogram.totalCount === 0) return Number.NaN;
  switch (stat) {
    case "avg":
      return histogram.mean / 1000;
    case "min":
      return histogram.minNonZeroValue / 1000;
    case "max":
      return histogram.maxValue / 1000;
    case "med":
      return histogram.getValueAtPercentile(50) / 1000;
    case "count":
      return histogram.totalCount;
    default: {
      const match = /^p\((\d+(?:\.\d+)?)\)$/.exec(stat);
      if (!match) throw new Error(`unknown trend statistic '${stat}'`);
      return histogram.getValueAtPercentile(Number(match[1])) / 1000;
    }
  }
}
