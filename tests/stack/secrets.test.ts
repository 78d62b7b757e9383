import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { type StartedLocalStack, startLocalStack } from "../../harness/stack/index.ts";
import { TaskList } from "../../harness/ui/index.ts";
import { isAlive } from "../support/processes.ts";
import { standInManifest } from "../support/stand-in-manifest.ts";

/** Two stand-ins, two replicas each, each replica its own process. */
const MANIFEST = standInManifest([{ name: "first" }, { name: "second" }]);

const dir = mkdtempSync(join(tmpdir(), "gauntlet-secrets-test-"));
let stack: StartedLocalStack | undefined;
afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every live process's command line, as /proc and `ps` show them to any local user. */
function commandLines(): string {
  const fromProc = readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      } catch {
        return ""; // exited while we looked
      }
    });
  return [...fromProc, execFileSync("ps", ["-eo", "args", "--no-headers", "--cols", "100000"], { encoding: "utf8" })].join("\n");
}

describe("a local stack's secrets", () => {
  it("never reach a command line, even when they begin with '-' (an option parser's favourite trap)", { timeout: 180_000 }, async () => {
    const manifest = join(dir, "manifest.yaml");
    writeFileSync(manifest, MANIFEST);
    const secrets: string[] = [];
    const newSecret = () => {
      const secret = `-${randomBytes(12).toString("base64url")}`;
      secrets.push(secret);
      return secret;
    };
    const progress = new TaskList(new PassThrough() as unknown as NodeJS.WriteStream, { quietBelowMs: 0 });
    stack = await startLocalStack({ nodes: 3, fleet: { manifest, mode: "process", gateways: 2 }, progress, newSecret });
    progress.finish();

    // Up: the gateways answered /readyz, so they connected to NATS as their user.
    expect(stack.gateways.map((gateway) => gateway.running)).toEqual([true, true]);
    expect(secrets).toHaveLength(3);
    // The stack's processes are there to be looked at: 3 nodes, 4 replicas, 2 gateways.
    const pids = [...stack.cluster.nodes.map((node) => node.pid), ...stack.gateways.map((gateway) => gateway.pid)];
    expect(pids.every((pid) => pid !== undefined && isAlive(pid))).toBe(true);
    expect(stack.fleet?.replicas.length).toBe(4);

    const shown = commandLines();
    for (const secret of secrets) expect(shown).not.toContain(secret);

    // The files that hold them are their owner's alone.
    const mode = (file: string) => statSync(file).mode & 0o777;
    expect(mode(stack.targetFile)).toBe(0o600);
    for (const node of stack.cluster.nodes) expect(mode(node.configFile)).toBe(0o600);
  });
});
