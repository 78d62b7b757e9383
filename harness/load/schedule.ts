import type { RateSegment } from "./options.ts";

/**
 * Intended start times (ms from the scenario's start) of an open-model arrival schedule.
 * Arrival i happens when the integral of the rate reaches i, so arrival 0 is at 0 ms.
 * With `workers` > 1 the schedule is dealt round-robin: worker w gets arrivals w, w+W, w+2W…,
 * so the workers together produce exactly the single-process schedule.
 */
export function* arrivalOffsets(segments: readonly RateSegment[], worker = 0, workers = 1): Generator<number> {
  let segmentStartMs = 0;
  let countBefore = 0;
  let next = worker;
  for (const { from, to, durationMs } of segments) {
    const seconds = durationMs / 1000;
    const inSegment = ((from + to) / 2) * seconds;
    const slope = seconds > 0 ? (to - from) / (2 * seconds) : 0;
    while (next - countBefore < inSegment) {
      const n = next - countBefore;
      // Root of slope·t² + from·t − n = 0, in the form that stays exact when slope is 0.
      const t = n === 0 ? 0 : (2 * n) / (from + Math.sqrt(from * from + 4 * slope * n));
      yield segmentStartMs + t * 1000;
      next += workers;
    }
    segmentStartMs += durationMs;
    countBefore += inSegment;
  }
}

/** Total arrivals a schedule holds (all workers together). */
export function arrivalCount(segments: readonly RateSegment[]): number {
  const exact = segments.reduce((sum, s) => sum + ((s.from + s.to) / 2) * (s.durationMs / 1000), 0);
  return Math.ceil(exact - 1e-9);
}

/** How many of `total` units (VUs) worker `worker` of `workers` gets: an even split, remainder to the first. */
export function shareOf(total: number, worker: number, workers: number): number {
  return Math.floor(total / workers) + (worker < total % workers ? 1 : 0);
}
