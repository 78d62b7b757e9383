/**
 * Checker throughput on a generated history of ≥ 1,000,000 operations (2,000,000+ entries):
 * 8 publishers, 500,000 JetStream publishes (1% timed out, 0.5% failed), 500,000 reads by a
 * consumer with some loss, duplicates and reordering. Each figure is the best (and median) of runs, next to
 * a bare pass over the same entries so the ratio holds on any machine.
 *
 *   node bin/gauntlet.mjs exec node bench/checkers.ts [--operations 1000000] [--runs 5] [--jsonl]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkAvailability, checkLatency, checkQueue } from "../harness/checkers/index.ts";
import { type HistoryEntry, HistoryRecorder, JsonlHistoryWriter, loadHistory } from "../harness/history/index.ts";

const { values } = parseArgs({
  options: {
    operations: { type: "string", default: "1000000" },
    runs: { type: "string", default: "5" },
    jsonl: { type: "boolean", default: false },
  },
});
const operations = Number(values.operations);
const runs = Number(values.runs);
if (!Number.isInteger(operations) || operations < 1000) throw new Error(`--operations: a whole number ≥ 1000, got ${values.operations}`);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: a whole number ≥ 1, got ${values.runs}`);

/**
 * Publishes `n` = 0, 1, 2… by 8 publishers (`n % 8`), then one read per message, in publish order
 * except: failed publishes (n % 200 = 13) are not read, every 1000th from 500 is lost, every
 * 1000th from 600 is read twice, timed-out ones (n % 100 = 7) are read (recovered) except every
 * 1000th from 307, and every 5000th from 100 swaps places with its publisher's next message (n + 8).
 */
function generate(total: number, idOf: (n: number) => unknown): HistoryEntry[] {
  const publishes = Math.ceil(total / 2 / 0.99);
  const entries: HistoryEntry[] = [];
  let index = 0;
  let time = 0;
  let op = 0;
  const push = (entry: Omit<HistoryEntry, "index" | "time">) => {
    time += 1000 + (index % 7) * 100;
    entries.push({ index: index++, time, ...entry });
  };
  push({ type: "info", process: "nemesis", f: "start", value: { fault: "kill", target: { node: "nats-1" } } });
  for (let n = 0; n < publishes; n++) {
    const process = `publisher-${n % 8}`;
    const value = idOf(n);
    push({ type: "invoke", process, f: "publish", op, value });
    if (n % 100 === 7) push({ type: "info", process, f: "publish", op: op++, value, error: { class: "timeout", message: "timeout" } });
    else if (n % 200 === 13)
      push({ type: "fail", process, f: "publish", op: op++, value, error: { class: "no-responders", message: "no responders" } });
    else push({ type: "ok", process, f: "publish", op: op++, value: { stream: "ORDERS", seq: n + 1, duplicate: false } });
    if (n === Math.floor(publishes / 3))
      push({ type: "info", process: "nemesis", f: "stop", value: { fault: "kill", target: { node: "nats-1" } } });
  }
  const order: number[] = [];
  for (let n = 0; n < publishes; n++) {
    if (n % 200 === 13 || n % 1000 === 500 || n % 1000 === 307) continue;
    order.push(n);
    if (n % 1000 === 600) order.push(n);
  }
  for (let i = 0; i < order.length; i++) {
    const n = order[i] as number;
    const later = order.indexOf(n + 8, i);
    if (n % 5000 !== 100 || later === -1) continue;
    order[i] = n + 8;
    order[later] = n;
    i = later;
  }
  for (const n of order) {
    push({ type: "invoke", process: "reader", f: "read", op });
    push({ type: "ok", process: "reader", f: "read", op: op++, value: idOf(n) });
  }
  return entries;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Best and median of `runs`; on a shared machine the best is the truer cost, the median shows the noise. */
function time(label: string, work: () => unknown): number {
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    const result = work();
    samples.push(performance.now() - start);
    if (result === undefined) throw new Error(`${label} returned nothing`);
  }
  const best = Math.min(...samples);
  console.log(`${label.padEnd(44)} best ${best.toFixed(0).padStart(6)} ms, median ${median(samples).toFixed(0).padStart(6)} ms`);
  return best;
}

/** The least work any queue checker must do: one pass counting each message's reads in a Map. */
function barePass(entries: readonly HistoryEntry[]): number {
  const seen = new Map<unknown, number>();
  for (const entry of entries) {
    const message =
      entry.f === "publish" && entry.type === "invoke" ? entry.value : entry.f === "read" && entry.type === "ok" ? entry.value : undefined;
    if (message === undefined) continue;
    const { stream, id } = message as { stream: string; id: string };
    const key = `${stream}\u0000${id}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen.size;
}

console.log(`generating ${operations.toLocaleString("en")} operations…`);
const objectHistory = generate(operations, (n) => ({ stream: "ORDERS", id: `m${n}` }));
const numberHistory = generate(operations, (n) => n);
const operationCount = objectHistory.filter((entry) => entry.type === "invoke").length;
console.log(
  `${operationCount.toLocaleString("en")} operations, ${objectHistory.length.toLocaleString("en")} entries per history; Node ${process.version}; ${runs} runs each\n`,
);

const bare = time("bare pass (Map keyed by message)", () => barePass(objectHistory));
const queueObjects = time("checkQueue, {stream, id: string} messages", () => checkQueue(objectHistory));
const queueNumbers = time("checkQueue, numeric ids", () => checkQueue(numberHistory));
const latency = time("checkLatency", () => checkLatency(objectHistory));
const availability = time("checkAvailability", () => checkAvailability(objectHistory));
const verdict = checkQueue(objectHistory);
console.log(`\nqueue verdict: ${verdict.valid} — ${verdict.reason}`);
const expected = { lost: 0, duplicated: 0, reordered: 0, recovered: 0, unknownNeverRead: 0 };
for (let n = 0; n < Math.ceil(operations / 2 / 0.99); n++) {
  if (n % 200 === 13) continue;
  if (n % 1000 === 500) expected.lost += 1;
  if (n % 1000 === 600) expected.duplicated += 1;
  if (n % 5000 === 100) expected.reordered += 1;
  if (n % 100 === 7) expected[n % 1000 === 307 ? "unknownNeverRead" : "recovered"] += 1;
}
for (const [key, value] of Object.entries(expected)) {
  if (verdict.counts[key] !== value) throw new Error(`queue checker counted ${verdict.counts[key]} ${key}, the generator made ${value}`);
}
console.log(`counts match the generated faults: ${JSON.stringify(expected)}`);
console.log(
  `queue checker / bare pass (best runs): ${(queueObjects / bare).toFixed(2)}x (numeric ids ${(queueNumbers / bare).toFixed(2)}x)`,
);
console.log(
  `target ≤ 5000 ms: ${queueObjects <= 5000 ? "met" : "MISSED"} (${queueObjects.toFixed(0)} ms); latency ${latency.toFixed(0)} ms, availability ${availability.toFixed(0)} ms`,
);

// Recorder overhead: the same trivial async operation awaited bare and through recorder.run.
const recorderOps = 200_000;
const noop = async () => 1;
let start = performance.now();
for (let i = 0; i < recorderOps; i++) await noop();
const bareAwait = performance.now() - start;
const dir = mkdtempSync(join(tmpdir(), "gauntlet-bench-"));
try {
  const recorder = await HistoryRecorder.toFile(join(dir, "history.jsonl"), { keepInMemory: false });
  start = performance.now();
  for (let i = 0; i < recorderOps; i++) await recorder.run("c1", "publish", i, noop);
  const recorded = performance.now() - start;
  await recorder.close();
  console.log(
    `\nrecorder.run to history.jsonl: ${((recorded * 1e6) / recorderOps).toFixed(0)} ns/op vs bare await ${((bareAwait * 1e6) / recorderOps).toFixed(0)} ns/op (${recorderOps.toLocaleString("en")} ops)`,
  );

  if (values.jsonl) {
    const file = join(dir, "big.jsonl");
    start = performance.now();
    const writer = await JsonlHistoryWriter.open(file);
    for (const entry of objectHistory) writer.write(entry);
    await writer.close();
    const written = performance.now() - start;
    start = performance.now();
    const loaded = await loadHistory(file);
    const loadedMs = performance.now() - start;
    console.log(
      `history.jsonl of ${loaded.length.toLocaleString("en")} lines: write ${written.toFixed(0)} ms, load + validate ${loadedMs.toFixed(0)} ms`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
