// Watches its parent through a pipe on stdin. When the pipe closes (the parent exited, crashed
// or was SIGKILLed), it kills the pids, deletes the network namespaces and links, unmounts the
// mounts, removes the Docker stacks' containers and networks and the dirs still registered: a parent
// that cleaned up has forgotten them. Lines:
// "pid <n>", "forget-pid <n>", "netns <name>", "forget-netns <name>", "link <name>",
// "forget-link <name>", "mount <path>", "forget-mount <path>", "docker-stack <id>",
// "forget-docker-stack <id>", "dir <path>", "forget-dir <path>".
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createInterface } from "node:readline";

const pids = new Set<number>();
const namespaces = new Set<string>();
const links = new Set<string>();
const mounts = new Set<string>();
const dockerStacks = new Set<string>();
const dirs = new Set<string>();

for await (const line of createInterface({ input: process.stdin })) {
  const space = line.indexOf(" ");
  const verb = space === -1 ? line : line.slice(0, space);
  const arg = space === -1 ? "" : line.slice(space + 1);
  if (verb === "pid") pids.add(Number(arg));
  else if (verb === "forget-pid") pids.delete(Number(arg));
  else if (verb === "netns") namespaces.add(arg);
  else if (verb === "forget-netns") namespaces.delete(arg);
  else if (verb === "link") links.add(arg);
  else if (verb === "forget-link") links.delete(arg);
  else if (verb === "mount") mounts.add(arg);
  else if (verb === "forget-mount") mounts.delete(arg);
  else if (verb === "docker-stack") dockerStacks.add(arg);
  else if (verb === "forget-docker-stack") dockerStacks.delete(arg);
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
const ip = (...args: string[]) => {
  try {
    execFileSync("ip", args, { stdio: "ignore", timeout: 5_000 });
  } catch {
    // already gone
  }
};
for (const link of links) ip("link", "del", link);
for (const namespace of namespaces) ip("netns", "del", namespace);
for (const mount of mounts) {
  try {
    execFileSync("umount", ["--lazy", mount], { stdio: "ignore", timeout: 5_000 });
  } catch {
    // already unmounted
  }
}
if (dockerStacks.size > 0) {
  const { removeStackResources } = await import("../providers/docker/stack-resources.ts");
  // A container whose creation the harness had asked for as it died appears after the first pass.
  for (const pass of [1, 2]) {
    if (pass === 2) await new Promise((resolve) => setTimeout(resolve, 2_000));
    for (const id of dockerStacks) await removeStackResources(id).catch(() => {});
  }
}
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
