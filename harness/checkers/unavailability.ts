import { effectiveWindows, type History, pairOperations } from "../history/index.ts";

/**
 * System-level unavailability of `f`: the longest stretch, touching a fault window, in which no
 * client completed `f` successfully (all clients' successes merged). Null when there is no window.
 */
export function unavailableNs(history: History, f: string): number | null {
  const successes = pairOperations(history)
    .filter((operation) => operation.f === f && operation.type === "ok")
    .map((operation) => operation.completeTime as number)
    .sort((a, b) => a - b);
  const windows = effectiveWindows(history);
  if (windows.length === 0 || successes.length === 0) return null;
  const end = history.at(-1)?.time ?? 0;
  let longest = 0;
  for (const window of windows) {
    const before = successes.filter((time) => time <= window.start).at(-1) ?? window.start;
    const inside = successes.filter((time) => time > window.start);
    let previous = before;
    for (const time of inside) {
      if (previous > window.stop) break;
      longest = Math.max(longest, time - previous);
      previous = time;
    }
    // Never a success again: unavailable until the history ends.
    if (previous <= window.stop) longest = Math.max(longest, end - previous);
  }
  return longest;
}
