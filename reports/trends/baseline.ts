import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { readJsonFile, type Summary } from "../../harness/record/index.ts";
import { keyMetrics, RunMetrics } from "./key-metrics.ts";

/** Saves the run's key metrics as the baseline later runs are compared against. */
export async function saveBaseline(summary: Summary, file: string): Promise<RunMetrics> {
  const metrics = keyMetrics(summary);
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(metrics, null, 2)}\n`);
  await rename(temporary, file);
  return metrics;
}

/** The saved baseline, or undefined when none was saved; a corrupt file is an error naming the field. */
export async function loadBaseline(file: string): Promise<RunMetrics | undefined> {
  const exists = await stat(file).catch(() => undefined);
  if (!exists) return undefined;
  return readJsonFile(RunMetrics, file);
}
