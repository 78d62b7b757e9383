/** The spacing of a figure's attempts, as the verdict and the run record hold it. */
interface Spacing {
  readonly widestGapMs: number;
  readonly p99GapMs: number;
}

/**
 * An unavailability figure with what it is good to, for a terminal line:
 * `JetStream unavailable 0.03 s (attempts ≤ 12 ms apart, p99 7 ms)`.
 */
export function unavailabilityText(what: string, unavailableMs: number | undefined, spacing: Spacing | undefined): string {
  const figure = unavailableMs === undefined ? "n/a" : `${(unavailableMs / 1000).toFixed(2)} s`;
  const resolution = spacing ? ` (attempts ≤ ${spacing.widestGapMs.toFixed(0)} ms apart, p99 ${spacing.p99GapMs.toFixed(0)} ms)` : "";
  return `${what} unavailable ${figure}${resolution}`;
}
