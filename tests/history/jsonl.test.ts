import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkQueue } from "../../harness/checkers/index.ts";
import { HistoryError, HistoryRecorder, loadHistory } from "../../harness/history/index.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "gauntlet-history-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function recordSmallRun(file: string, keepInMemory = true): Promise<HistoryRecorder> {
  const recorder = await HistoryRecorder.toFile(file, { keepInMemory });
  await recorder.run("p1", "publish", 1, async () => ({ seq: 1 }), { okValue: () => 1 });
  await recorder.run("p1", "publish", 2, async () => {
    throw Object.assign(new Error("timeout"), { name: "TimeoutError" });
  });
  recorder.nemesis("start", "kill", { node: "nats-1" });
  recorder.nemesis("stop", "kill", { node: "nats-1" });
  await recorder.run("reader", "read", null, async () => [1, 2]);
  recorder.probe("srv-ping", { service: "event-bus", instances: 2 });
  await recorder.close();
  return recorder;
}

describe("history.jsonl", () => {
  it("streams every entry to the file and loads back the same history, so a verdict can be recomputed from it", async () => {
    const file = join(dir, "run", "history.jsonl");
    const recorder = await recordSmallRun(file);
    const lines = readFileSync(file, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(recorder.entries.length);
    const loaded = await loadHistory(file);
    expect(loaded).toEqual(recorder.entries);
    expect(checkQueue(loaded)).toEqual(checkQueue(recorder.entries));
    expect(checkQueue(loaded).counts).toMatchObject({ acknowledged: 1, recovered: 1 });
  });

  it("writes to the file while the run goes on, not only at the end", async () => {
    const file = join(dir, "history.jsonl");
    const recorder = await HistoryRecorder.toFile(file);
    for (let i = 0; i < 2000; i++) recorder.invoke(`client-${i % 4}`, "publish", { stream: "ORDERS", id: `m${i}` });
    let lines = 0;
    for (let attempt = 0; attempt < 100 && lines === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      lines = readFileSync(file, "utf8").split("\n").length - 1;
    }
    expect(lines).toBeGreaterThan(0);
    await recorder.close();
    expect(await loadHistory(file)).toHaveLength(2000);
  });

  it("keeps nothing in memory when asked, and still writes everything", async () => {
    const file = join(dir, "history.jsonl");
    const recorder = await recordSmallRun(file, false);
    expect(recorder.entries).toHaveLength(0);
    expect(await loadHistory(file)).toHaveLength(9);
  });

  it("records monotonic integer nanosecond times, an op id pairing invoke and completion, and the error class", async () => {
    const file = join(dir, "history.jsonl");
    const recorder = await recordSmallRun(file);
    const times = recorder.entries.map((entry) => entry.time);
    expect(times.every(Number.isInteger)).toBe(true);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(recorder.entries.slice(2, 4)).toMatchObject([
      { type: "invoke", process: "p1", f: "publish", op: 1, value: 2 },
      { type: "info", process: "p1", f: "publish", op: 1, value: 2, error: { class: "timeout", message: "timeout" } },
    ]);
    expect(recorder.entries[4]).toMatchObject({
      type: "info",
      process: "nemesis",
      f: "start",
      value: { fault: "kill", target: { node: "nats-1" } },
    });
    expect(() => recorder.probe("readyz", { url: "u", ready: true })).toThrow(HistoryError);
  });

  it("names the file and line of a line that is not JSON", async () => {
    const file = join(dir, "history.jsonl");
    writeFileSync(file, `${JSON.stringify({ index: 0, time: 0, type: "invoke", process: 1, f: "read" })}\n{"index": 1, "ti\n`);
    await expect(loadHistory(file)).rejects.toThrow(HistoryError);
    await expect(loadHistory(file)).rejects.toThrow(new RegExp(`^${file}:2: not JSON`));
  });

  it("names the file, line and field of an entry that breaks the schema", async () => {
    const file = join(dir, "history.jsonl");
    const good = { index: 0, time: 0, type: "invoke", process: 1, f: "read" };
    writeFileSync(file, `${JSON.stringify(good)}\n\n${JSON.stringify({ ...good, index: 1, type: "done" })}\n`);
    await expect(loadHistory(file)).rejects.toThrow(new RegExp(`^${file}:3: type: `));
    writeFileSync(
      file,
      `${JSON.stringify({ index: 0, time: 5, type: "info", process: "nemesis", f: "start", value: { target: "n1" } })}\n`,
    );
    await expect(loadHistory(file)).rejects.toThrow(`${file}:1: value: a nemesis entry has value {fault, target}`);
    writeFileSync(file, `${JSON.stringify({ ...good, time: -1 })}\n`);
    await expect(loadHistory(file)).rejects.toThrow(`${file}:1: time:`);
  });

  it("says which file it could not read", async () => {
    const file = join(dir, "missing.jsonl");
    await expect(loadHistory(file)).rejects.toThrow(`${file}: cannot read history`);
  });
});
