import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from "hdr-histogram-js";

/**
 * Latencies are recorded in microseconds with three significant digits (0.1 % resolution);
 * the range grows to whatever is recorded, so a histogram costs memory only for the values it saw.
 */
export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 2, numberOfSignificantValueDigits: 3, autoResize: true });
}

/** The same, stored sparsely: for the many per-second histograms a long run keeps (about 10 KB each). */
export function newCompactHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
    bitBucketSize: "packed",
  });
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
