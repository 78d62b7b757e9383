import type { History, HistoryEntry } from "./schema.ts";

/**
 * One history from several recorded in the same timeline (recorders sharing `startNs`, e.g. one in
 * a worker thread and one in the main thread): entries in time order (ties keep the order of the
 * arguments, then each history's own order), indexes renumbered from 0, and each history's `op`
 * ids shifted past the previous histories' so that no two operations share one.
 */
export function mergeHistories(...histories: readonly History[]): HistoryEntry[] {
  const tagged: { entry: HistoryEntry; source: number; position: number }[] = [];
  let opOffset = 0;
  histories.forEach((history, source) => {
    let highestOp = -1;
    history.forEach((entry, position) => {
      const shifted = entry.op === undefined ? entry : { ...entry, op: entry.op + opOffset };
      if (entry.op !== undefined) highestOp = Math.max(highestOp, entry.op);
      tagged.push({ entry: shifted, source, position });
    });
    opOffset += highestOp + 1;
  });
  tagged.sort((a, b) => a.entry.time - b.entry.time || a.source - b.source || a.position - b.position);
  return tagged.map(({ entry }, index) => ({ ...entry, index }));
}
