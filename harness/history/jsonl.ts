import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { HistoryError } from "./errors.ts";
import { describeEntryIssue, type HistoryEntry, HistoryEntrySchema } from "./schema.ts";

/** Where a recorder sends entries as they happen. */
export interface HistorySink {
  write(entry: HistoryEntry): void;
  close(): Promise<void>;
}

const FLUSH_BYTES = 64 * 1024;
const FLUSH_AFTER_MS = 100;

/**
 * Streams entries to `history.jsonl`, one JSON object per line, as they are recorded. Lines are
 * batched (64 KiB or 100 ms, whichever comes first) so recording costs little per operation.
 */
export class JsonlHistoryWriter implements HistorySink {
  readonly file: string;
  readonly #stream: WriteStream;
  #pending = "";
  #timer: NodeJS.Timeout | undefined;
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
    this.#pending += `${JSON.stringify(entry)}\n`;
    if (this.#pending.length >= FLUSH_BYTES) this.#flush();
    else this.#timer ??= setTimeout(() => this.#flush(), FLUSH_AFTER_MS).unref();
  }

  #flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending === "") return;
    this.#stream.write(this.#pending);
    this.#pending = "";
  }

  async close(): Promise<void> {
    this.#flush();
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
  if (!parsed.success) throw HistoryError.corruptLine(file, line, describeEntryIssue(parsed.error, json));
  return parsed.data;
}

/** Loads `history.jsonl` back; a corrupt line fails with `file:line: problem`. Blank lines are skipped. */
export async function loadHistory(file: string): Promise<HistoryEntry[]> {
  const entries: HistoryEntry[] = [];
  let line = 0;
  let rest = "";
  const take = (text: string) => {
    line += 1;
    if (text.trim() !== "") entries.push(parseHistoryLine(text, file, line));
  };
  try {
    for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: 1024 * 1024 })) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const text of lines) take(text);
    }
    if (rest !== "") take(rest);
  } catch (error) {
    if (error instanceof HistoryError) throw error;
    throw HistoryError.unreadable(file, error);
  }
  return entries;
}
