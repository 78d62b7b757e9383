import { existsSync } from "node:fs";
import { readdir, readFile, realpath } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { z } from "zod";
import { describeIssue, fieldPath } from "../../lib/field-problem/index.ts";
import { RecordError } from "./record-error.ts";
import { FAILOVER_FILE, LATEST_LINK, SUMMARY_FILE } from "./record-files.ts";
import { FailoverSection, Summary } from "./summary-schema.ts";

/** Parses JSON text against a schema, turning the first problem into `file:field: problem`. */
export function parseWith<T extends z.ZodType>(schema: T, text: string, file: string): z.infer<T> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw RecordError.notJson(file, error);
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const { path, problem } = describeIssue(result.error, data);
    throw RecordError.invalidField(file, fieldPath(path), problem);
  }
  return result.data;
}

export async function readJsonFile<T extends z.ZodType>(schema: T, file: string): Promise<z.infer<T>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw RecordError.unreadable(file, error);
  }
  return parseWith(schema, text, file);
}

export function readSummary(runDir: string): Promise<Summary> {
  return readJsonFile(Summary, join(runDir, SUMMARY_FILE));
}

/** The failover section the experiments of a run left in its directory, if any. */
export async function readFailoverSection(runDir: string): Promise<FailoverSection | undefined> {
  const file = join(runDir, FAILOVER_FILE);
  if (!existsSync(file)) return undefined;
  return readJsonFile(FailoverSection, file);
}

export interface RecordedRun {
  readonly id: string;
  readonly dir: string;
}

/** Run directories under `runsDir` that hold a summary, oldest first by `startedAt` (then by id). */
export async function listRuns(runsDir: string): Promise<RecordedRun[]> {
  let entries: string[];
  try {
    entries = await readdir(runsDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw RecordError.unreadable(runsDir, error);
  }
  const runs: (RecordedRun & { startedAt: string })[] = [];
  for (const id of entries) {
    if (id === LATEST_LINK) continue;
    const dir = join(runsDir, id);
    const text = await readFile(join(dir, SUMMARY_FILE), "utf8").catch(() => undefined);
    if (text === undefined) continue;
    runs.push({ id, dir, startedAt: startedAtOf(text) });
  }
  runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  return runs.map(({ id, dir }) => ({ id, dir }));
}

function startedAtOf(summaryText: string): string {
  try {
    const startedAt = (JSON.parse(summaryText) as { startedAt?: unknown }).startedAt;
    return typeof startedAt === "string" ? startedAt : "";
  } catch {
    return "";
  }
}

/** Resolves `latest` (the symlink, else the newest run) or a run id to its directory. */
export async function resolveRun(runsDir: string, id: string): Promise<RecordedRun> {
  const runs = await listRuns(runsDir);
  if (id === LATEST_LINK) {
    const linked = await realpath(join(runsDir, LATEST_LINK)).catch(() => undefined);
    if (linked) return { id: basename(linked), dir: linked };
    const newest = runs.at(-1);
    if (newest) return newest;
  }
  const run = runs.find((candidate) => candidate.id === id);
  if (!run)
    throw RecordError.runNotFound(
      runsDir,
      id,
      runs.map((r) => r.id),
    );
  return run;
}

/** The run recorded just before `runDir` in the same runs directory, if any. */
export async function previousRun(runDir: string): Promise<RecordedRun | undefined> {
  const dir = await realpath(runDir).catch(() => resolve(runDir));
  const runs = await listRuns(dirname(dir));
  const index = runs.findIndex((run) => run.id === basename(dir));
  return index > 0 ? runs[index - 1] : undefined;
}
