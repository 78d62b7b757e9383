import { readdir, realpath, rename, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { HTML_FILE, previousRun, readSummary } from "../../harness/record/index.ts";
import { compareRuns, loadBaseline, type Tolerances } from "../trends/index.ts";
import type { ReportModel, TrendView } from "./model.ts";
import { renderPage } from "./page.ts";

export type { ReportModel, TrendView } from "./model.ts";
export { renderPage } from "./page.ts";

export interface ReportOptions {
  /** Run directory to compare with; default the run recorded just before; null for none. */
  readonly compareWith?: string | null;
  /** Saved baseline; default `<runs dir>/../baselines/baseline.json`; null for none. */
  readonly baselineFile?: string | null;
  readonly tolerances?: Partial<Tolerances>;
  readonly now?: () => Date;
}

/** Default location of the baseline for runs kept in `reports/runs`: `reports/baselines/baseline.json`. */
export function defaultBaselineFile(runDir: string): string {
  return join(dirname(dirname(runDir)), "baselines", "baseline.json");
}

/** Reads a run record and what it is compared with: the previous run (or `compareWith`) and the baseline. */
export async function loadReportModel(runDir: string, options: ReportOptions = {}): Promise<ReportModel> {
  const dir = await realpath(runDir).catch(() => runDir);
  const summary = await readSummary(dir);
  const trends: TrendView[] = [];
  const compareDir = options.compareWith === undefined ? (await previousRun(dir))?.dir : options.compareWith;
  if (compareDir) {
    const other = await readSummary(compareDir);
    trends.push({
      label: options.compareWith ? "compared run" : "previous run",
      comparison: compareRuns(summary, other, options.tolerances),
    });
  }
  const baselineFile = options.baselineFile === undefined ? defaultBaselineFile(dir) : options.baselineFile;
  const baseline = baselineFile ? await loadBaseline(baselineFile) : undefined;
  if (baseline && baseline.runId !== summary.runId)
    trends.push({ label: "baseline", comparison: compareRuns(summary, baseline, options.tolerances) });
  return { summary, trends, artifacts: await listArtifacts(dir), generatedAt: (options.now?.() ?? new Date()).toISOString() };
}

/** Writes `index.html` into the run record and returns its path. */
export async function renderHtmlReport(runDir: string, options: ReportOptions = {}): Promise<string> {
  const dir = await realpath(runDir).catch(() => runDir);
  const model = await loadReportModel(dir, options);
  return writeReport(dir, renderPage(model));
}

export async function writeReport(runDir: string, page: string): Promise<string> {
  const file = join(runDir, HTML_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, page);
  await rename(temporary, file);
  return file;
}

async function listArtifacts(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && !(entry.parentPath === dir && entry.name === HTML_FILE) && !entry.name.endsWith(".tmp"))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .filter((file) => basename(file) !== ".DS_Store")
    .sort();
}
