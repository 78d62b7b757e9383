import type { UsageSample } from "./agent-protocol.ts";

/** One agent's part in a run, as `load.json` and the summary show it. */
export interface AgentReport {
  name: string;
  url: string;
  host: string;
  pid: number;
  cores: number;
  /** Indexes, in the whole run, of the workers it ran. */
  workers: number[];
  /** Its clock minus the coordinator's, and the round trip that measured it (ms). */
  clockOffsetMs: number;
  rttMs: number;
  /** Arrivals its share of the arrival-rate schedules holds, its VUs, and its fraction of the run's load. */
  scheduled: number;
  vus: number;
  share: number;
  started: number;
  completed: number;
  dropped: number;
  requests: number;
  errors: number;
  /** Set when it could not keep its share: iterations it dropped, or it was lost. */
  behind: string | null;
  /** When (seconds into the run) and why the coordinator lost it; its missed starts are counted as dropped. */
  lost: { atS: number; reason: string; missedStarts: number } | null;
  usage: UsageSample[];
}

const percent = (part: number, whole: number) => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : "-");

function peak(samples: readonly UsageSample[], pick: (s: UsageSample) => number): number {
  return samples.reduce((max, s) => Math.max(max, pick(s)), 0);
}

/** The summary's agents table and one line per agent that fell behind. */
export function formatAgents(agents: readonly AgentReport[]): string {
  const rows = [["agent", "workers", "share", "started", "dropped", "errors", "cpu max", "rss max"]];
  for (const a of agents) {
    rows.push([
      a.name,
      String(a.workers.length),
      percent(a.share, 1),
      String(a.started),
      String(a.dropped),
      String(a.errors),
      `${peak(a.usage, (s) => s.cpuPercent).toFixed(0)}%`,
      `${(peak(a.usage, (s) => s.rssBytes) / 2 ** 20).toFixed(0)}MB`,
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const lines = rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  "));
  for (const a of agents) if (a.behind) lines.push(`  ✗ agent ${a.name} did not keep its share: ${a.behind}`);
  return lines.join("\n");
}
