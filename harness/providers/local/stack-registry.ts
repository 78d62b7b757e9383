import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntil } from "../../../lib/retry/index.ts";
import { processAlive } from "../../process/index.ts";

/** What `gauntlet up` leaves in its run dir so `gauntlet down` (another process) can find and stop it. */
export interface StackRecord {
  readonly id: string;
  readonly pid: number;
  readonly dir: string;
  readonly targetFile: string;
  readonly startedAt: string;
}

const RECORD = "stack.json";

export function registerStack(record: StackRecord): void {
  writeFileSync(join(record.dir, RECORD), `${JSON.stringify(record, null, 2)}\n`);
}

/** Running stacks on this machine; run dirs whose owner died without cleaning up are removed on the way. */
export function listStacks(baseDir = tmpdir()): StackRecord[] {
  const records: StackRecord[] = [];
  for (const entry of readdirSync(baseDir)) {
    if (!entry.startsWith("gauntlet-")) continue;
    const file = join(baseDir, entry, RECORD);
    if (!existsSync(file)) continue;
    let record: StackRecord;
    try {
      record = JSON.parse(readFileSync(file, "utf8")) as StackRecord;
    } catch {
      continue;
    }
    if (processAlive(record.pid)) records.push(record);
    else rmSync(join(baseDir, entry), { recursive: true, force: true });
  }
  return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

/** Asks the owning `gauntlet up` to stop (SIGTERM) and waits until it has cleaned up and exited. */
export async function stopStack(record: StackRecord, timeoutMs = 15_000): Promise<void> {
  try {
    process.kill(record.pid, "SIGTERM");
  } catch {
    return;
  }
  await waitUntil(async () => (processAlive(record.pid) ? undefined : true), {
    timeoutMs,
    intervalMs: 5,
    what: `stack ${record.id} (pid ${record.pid}) to stop`,
  });
}
