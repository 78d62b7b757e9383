import type { HistoryEntry } from "./schema.ts";

/** Splits a run's history.jsonl (every experiment in one file) into one history per experiment, in order. */
export function splitByExperiment(history: readonly HistoryEntry[]): Map<string, HistoryEntry[]> {
  const byExperiment = new Map<string, HistoryEntry[]>();
  for (const entry of history) {
    const name = experimentOf(entry);
    if (name === undefined) continue;
    const list = byExperiment.get(name) ?? [];
    byExperiment.set(name, list);
    list.push(entry);
  }
  return byExperiment;
}

/** Client entries carry the experiment in their process (`experiment/client`); nemesis and probe entries in `value.experiment`. */
function experimentOf(entry: HistoryEntry): string | undefined {
  if (typeof entry.process === "string" && entry.process.includes("/")) return entry.process.slice(0, entry.process.lastIndexOf("/"));
  const value = entry.value as { experiment?: unknown; target?: { experiment?: unknown } } | undefined;
  if (typeof value?.experiment === "string") return value.experiment;
  if (typeof value?.target?.experiment === "string") return value.target.experiment;
  return undefined;
}
