// Watches its parent through a pipe on stdin. When the pipe closes (the parent exited, crashed
// or was SIGKILLed), it kills the pids and removes the dirs still registered: a parent that
// cleaned up has forgotten them. Lines: "pid <n>", "forget-pid <n>", "dir <path>", "forget-dir <path>".
import { rmSync } from "node:fs";
import { createInterface } from "node:readline";

const pids = new Set<number>();
const dirs = new Set<string>();

for await (const line of createInterface({ input: process.stdin })) {
  const space = line.indexOf(" ");
  const verb = space === -1 ? line : line.slice(0, space);
  const arg = space === -1 ? "" : line.slice(space + 1);
  if (verb === "pid") pids.add(Number(arg));
  else if (verb === "forget-pid") pids.delete(Number(arg));
  else if (verb === "dir") dirs.add(arg);
  else if (verb === "forget-dir") dirs.delete(arg);
}

for (const pid of pids) {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
