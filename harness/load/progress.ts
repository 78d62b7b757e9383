import { formatAgents } from "./agents/agent-report.ts";
import type { LoadResult } from "./result.ts";

export interface LiveStatus {
  elapsedMs: number;
  totalMs: number;
  targetRate: number | null;
  achievedRate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  dropped: number;
  activeVUs: number;
}

const ms = (value: number | null) => (value === null || Number.isNaN(value) ? "-" : value < 10 ? value.toFixed(2) : value.toFixed(1));

export function formatLiveLine(status: LiveStatus): string {
  const elapsed = `${(status.elapsedMs / 1000).toFixed(0)}s/${(status.totalMs / 1000).toFixed(0)}s`;
  const rate =
    status.targetRate === null
      ? `${status.achievedRate.toFixed(0)}/s`
      : `${status.achievedRate.toFixed(0)}/${status.targetRate.toFixed(0)} /s`;
  return `load ${elapsed}  rate ${rate}  p50 ${ms(status.p50Ms)}ms  p99 ${ms(status.p99Ms)}ms  errors ${status.errors}  dropped ${status.dropped}  vus ${status.activeVUs}`;
}

/** Live status on stderr: rewritten in place on a TTY, one line every few seconds otherwise. */
export class ProgressLine {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #everyMs: number;
  #lastWrite = Number.NEGATIVE_INFINITY;
  #dirty = false;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean }, nonTtyEveryMs = 5000) {
    this.#stream = stream;
    this.#everyMs = stream.isTTY ? 0 : nonTtyEveryMs;
  }

  update(status: LiveStatus): void {
    const now = performance.now();
    if (now - this.#lastWrite < this.#everyMs) return;
    this.#lastWrite = now;
    const line = formatLiveLine(status);
    if (this.#stream.isTTY) {
      this.#stream.write(`\r\x1b[2K${line}`);
      this.#dirty = true;
    } else this.#stream.write(`${line}\n`);
  }

  end(): void {
    if (this.#dirty) this.#stream.write("\n");
    this.#dirty = false;
  }
}

function pad(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ")).join("\n");
}

/** The end-of-run table: every metric, then every threshold with ✓/✗. */
export function formatSummary(result: LoadResult): string {
  const lines: string[] = [];
  lines.push(
    `scenario ${result.file}  ${(result.durationMs / 1000).toFixed(1)}s  workers ${result.workers}${result.aborted ? `  ABORTED: ${result.aborted}` : ""}`,
  );
  const trends = Object.entries(result.metrics).filter(([, m]) => m.type === "trend");
  if (trends.length) {
    const rows = [["trend (ms)", "count", "avg", "min", "med", "p90", "p95", "p99", "max"]];
    for (const [name, m] of trends) {
      const s = m.trend;
      if (s) rows.push([name, String(s.count), ms(s.avg), ms(s.min), ms(s.med), ms(s.p90), ms(s.p95), ms(s.p99), ms(s.max)]);
    }
    lines.push("", pad(rows));
  }
  const others = Object.entries(result.metrics).filter(([, m]) => m.type !== "trend");
  if (others.length) {
    const rows = [["metric", "value", ""]];
    for (const [name, m] of others) {
      if (m.type === "counter") rows.push([name, String(m.count), `${(m.perSecond ?? 0).toFixed(1)}/s`]);
      else rows.push([name, `${((m.rate ?? 0) * 100).toFixed(2)}%`, `${m.passes}/${m.total}`]);
    }
    lines.push("", pad(rows));
  }
  if (result.agents?.length) lines.push("", formatAgents(result.agents));
  if (result.thresholds.length) {
    lines.push("", "thresholds");
    for (const t of result.thresholds) {
      const actual = t.actual === null ? (t.reason ?? "no data") : `actual ${Number.isInteger(t.actual) ? t.actual : t.actual.toFixed(3)}`;
      lines.push(`  ${t.passed ? "✓" : "✗"} ${t.key}: ${t.expression}  (${actual})${t.abortOnFail ? " [abortOnFail]" : ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
