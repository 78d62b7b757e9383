import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigBarrier, ConfigBarrierError } from "../../../harness/providers/docker/config-barrier.ts";

const dir = mkdtempSync(join(tmpdir(), "gauntlet-config-barrier-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A reader as nats-server is one: it opens its config file and reads it to the end. */
function reader(path: string): { child: ChildProcess; output: () => string; done: Promise<void> } {
  const child = spawn("cat", [path]);
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  const done = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return { child, output: () => output, done };
}

describe("ConfigBarrier (each node's config a FIFO until every node reads it)", () => {
  it("holds a reader until every reader has its file open, then gives each its own config; the FIFOs become plain files", async () => {
    const files = ["a", "b", "c"].map((name) => ({ name, path: join(dir, `${name}.json`), content: `{"server_name":"${name}"}\n` }));
    const barrier = ConfigBarrier.create(files);
    const released = barrier.release({ timeoutMs: 30_000 });
    const first = reader(files[0]?.path as string);
    const second = reader(files[1]?.path as string);
    await sleep(300);
    expect(first.output() + second.output()).toBe("");

    const last = reader(files[2]?.path as string);
    await released;
    await Promise.all([first.done, second.done, last.done]);
    expect([first.output(), second.output(), last.output()]).toEqual(files.map((file) => file.content));
    for (const file of files) {
      expect(statSync(file.path).isFile()).toBe(true);
      expect(readFileSync(file.path, "utf8")).toBe(file.content);
    }
  });

  it("writes a config larger than a pipe holds (64 KiB) whole", async () => {
    const content = `${JSON.stringify({ authorization: { users: Array.from({ length: 4000 }, (_, i) => ({ user: `user-${i}` })) } })}\n`;
    expect(content.length).toBeGreaterThan(64 * 1024);
    const barrier = ConfigBarrier.create([{ name: "big", path: join(dir, "big.json"), content }]);
    const released = barrier.release({ timeoutMs: 30_000 });
    const only = reader(join(dir, "big.json"));
    await released;
    await only.done;
    expect(only.output()).toBe(content);
  });

  it("gives up naming the node whose container never read its config, and leaves plain files", async () => {
    const files = ["up", "never"].map((name) => ({ name, path: join(dir, `${name}.json`), content: `${name}\n` }));
    const barrier = ConfigBarrier.create(files);
    const released = barrier.release({ timeoutMs: 500 });
    const up = reader(files[0]?.path as string);
    await expect(released).rejects.toThrow(ConfigBarrierError);
    await expect(released).rejects.toThrow("never did not start reading its config within 500 ms");
    await up.done;
    expect(up.output()).toBe("");
    for (const file of files) expect(statSync(file.path).isFile()).toBe(true);
  });
});
