import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { HistoryError } from "./errors.ts";
import { describeIssue, type HistoryEntry, HistoryEntrySchema } from "./schema.ts";

/** Where a recorder sends entries as they happen. */
export interface HistorySink {
  write(entry: HistoryEntry): void;
  close(): Promise<void>;
}

/** Streams entries to `history.jsonl`, one JSON object per line, as they are recorded. */
export class JsonlHistoryWriter implements HistorySink {
  readonly file: string;
  readonly #stream: WriteStream;
  #failure: Error | undefined;

  private constructor(file: string, stream: WriteStream) {
    this.file = file;
    this.#stream = stream;
    stream.on("error", (error) => {
      this.#failure = error;
    });
  }

  static async open(file: string): Promise<JsonlHistoryWriter> {
    await mkdir(dirname(file), { recursive: true });
    const stream = createWriteStream(file, { flags: "w" });
    await new Promise<void>((resolve, reject) => {
      stream.once("open", () => resolve());
      stream.once("error", (error) => reject(HistoryError.unreadable(file, error)));
    });
    return new JsonlHistoryWriter(file, stream);
  }

  write(entry: HistoryEntry): void {
    if (this.#failure) throw HistoryError.unreadable(this.file, this.#failure);
    this.#stream.write(`${JSON.stringify(entry)}\n`);
  }

  async close(): Promise<void> {
    if (!this.#stream.writableEnded) {
      await new Promise<void>((resolve) => this.#stream.end(resolve));
    }
    if (this.#failure) throw HistoryError.unreadable(this.file, this.#failure);
  }
}

/** Parses one line of a history file; `file` and `line` only name where a problem is. */
export function parseHistoryLine(text: string, file: string, line: number): HistoryEntry {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw HistoryError.corruptLine(file, line, `not JSON (${(error as Error).message})`);
  }
  const parsed = HistoryEntrySchema.safeParse(json);
  if (!parsed.success) throw HistoryError.corruptLine(file, line, describeIssue(parsed.error));
  return parsed.data;
}

/** Loads `history.jsonl` back; a corrupt line fails with `file:line: problem`. Blank lines are skipped. */
export async function loadHistory(file: string): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  const input = createReadStream(file, { encoding: "utf8" });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (text.trim() === "") continue;
      entries.push(parseHistoryLine(text, file, line));
    }
  } catch (error) {
    if (error instanceof HistoryError) throw error;
    throw HistoryError.unreadable(file, error);
  } finally {
    lines.close();
    input.destroy();
  }
  return entries;
}
