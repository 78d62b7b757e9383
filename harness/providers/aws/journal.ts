import { appendFileSync } from "node:fs";

/** One AWS API call as it happened: the run record's evidence of what Gauntlet did to an account. */
export interface JournalEntry {
  readonly at: string;
  readonly service: string;
  readonly operation: string;
  readonly mutating: boolean;
  readonly outcome: "ok" | "error" | "refused";
  readonly requestId?: string | undefined;
  readonly error?: string | undefined;
  readonly durationMs: number;
}

const READ_ONLY = /^(Describe|List|Get)/;

export function isMutating(operation: string): boolean {
  return !READ_ONLY.test(operation);
}

/** Every AWS call in order; appended to a JSONL file when given one (the run dir's `aws-journal.jsonl`). */
export class Journal {
  readonly entries: JournalEntry[] = [];
  readonly #file: string | undefined;

  constructor(file?: string) {
    this.#file = file;
  }

  record(entry: JournalEntry): void {
    this.entries.push(entry);
    if (this.#file) appendFileSync(this.#file, `${JSON.stringify(entry)}\n`);
  }

  get mutatingCalls(): readonly JournalEntry[] {
    return this.entries.filter((entry) => entry.mutating && entry.outcome !== "refused");
  }
}
