import { randomBytes } from "node:crypto";
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toJUnit } from "./junit.ts";
import { JUNIT_FILE, LATEST_LINK, SUMMARY_FILE } from "./record-files.ts";
import type { Summary } from "./summary-schema.ts";

/** `2026-11-26T22-15-03-4f2a`: sorts by time, unique across parallel runs. */
export function newRunId(now = new Date()): string {
  return `${now.toISOString().slice(0, 19).replaceAll(":", "-")}-${randomBytes(2).toString("hex")}`;
}

/** A run's directory under `reports/runs/`; files land as the run goes, `latest` moves at the end. */
export class RunRecord {
  readonly id: string;
  readonly dir: string;
  readonly runsDir: string;
  readonly #linkLatest: boolean;

  /** `linkLatest: false` for a run nested in another's record (a version matrix's runs). */
  constructor(runsDir: string, id = newRunId(), options: { linkLatest?: boolean } = {}) {
    this.id = id;
    this.runsDir = runsDir;
    this.#linkLatest = options.linkLatest ?? true;
    this.dir = join(runsDir, id);
    mkdirSync(this.dir, { recursive: true });
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  writeJson(file: string, data: unknown): void {
    writeFileSync(this.path(file), `${JSON.stringify(data, null, 2)}\n`);
  }

  /** summary.json and junit.xml, then `latest` → this run (replaced atomically). */
  finish(summary: Summary): void {
    this.writeJson(SUMMARY_FILE, summary);
    writeFileSync(this.path(JUNIT_FILE), toJUnit(summary));
    if (!this.#linkLatest) return;
    const temporaryLink = join(this.runsDir, `.latest-${this.id}`);
    symlinkSync(this.id, temporaryLink);
    renameSync(temporaryLink, join(this.runsDir, LATEST_LINK));
  }
}
