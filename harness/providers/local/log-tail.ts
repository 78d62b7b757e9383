import { readFileSync } from "node:fs";

/** The last `lines` lines of a node's log, framed with its path; empty when there is no log yet. */
export function logTail(logFile: string, lines: number): string {
  let text: string;
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return "";
  }
  const tail = text.trimEnd().split("\n").slice(-lines).join("\n");
  return tail ? `\n--- ${logFile} ---\n${tail}` : "";
}
