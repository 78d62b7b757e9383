// Failover figures per experiment of the catalog (harness/failover/catalog.ts: `all` = every one a
// healthy system passes, so faults added there are picked up), on one local stack (5 nodes, the
// reference fleet, 2 gateways) with the load engine driving mixed traffic through the gateways the
// whole time: the JetStream and gateway unavailability windows, and the resolution they were
// measured with (widest and p99 gap between consecutive publish attempts, all publishers merged).
// `--workloads both` runs every experiment twice in a row, the workloads in their own process and
// on the main thread's event loop (as before), so the two resolutions are measured side by side;
// the 1-minute load average is sampled every second of the run.
// Run: node bin/gauntlet.mjs exec node bench/failover.ts [--experiments all|a,b] [--runs 1]
//        [--workloads process|main|both] [--load-rate 100] [--network auto|kernel|proxy] [--fault-ms 10000]
import { loadavg } from "node:os";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type ExperimentResult, runExperiment, selectExperiments, type WorkloadPlacement } from "../harness/failover/index.ts";
import { faultWindows } from "../harness/history/index.ts";
import { runLoad } from "../harness/load/index.ts";
import { resolveTargetFile } from "../harness/providers/index.ts";
import { DEFAULT_MANIFEST, startLocalStack } from "../harness/stack/index.ts";
import { TaskList } from "../harness/ui/index.ts";
import { failoverContext } from "../suites/failover/support.ts";

const { values } = parseArgs({
  options: {
    experiments: { type: "string" },
    runs: { type: "string" },
    workloads: { type: "string" },
    "load-rate": { type: "string" },
    network: { type: "string" },
    "fault-ms": { type: "string" },
  },
});
const positive = (flag: string, text: string | undefined, fallback: number) => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} ${text}: expected a positive number`);
  return value;
};
const runs = positive("runs", values.runs, 1);
const loadRate = positive("load-rate", values["load-rate"], 100);
const faultMs = values["fault-ms"] === undefined ? undefined : positive("fault-ms", values["fault-ms"], 10_000);
const modes: WorkloadPlacement[] =
  values.workloads === undefined || values.workloads === "process"
    ? ["process"]
    : values.workloads === "main"
      ? ["main"]
      : values.workloads === "both"
        ? ["process", "main"]
        : (() => {
            throw new Error(`--workloads ${values.workloads}: expected process, main or both`);
          })();
const network = values.network ?? "auto";
if (!["auto", "kernel", "proxy"].includes(network)) throw new Error(`--network ${network}: expected auto, kernel or proxy`);
const entries = selectExperiments((values.experiments ?? "all").split(","), "--experiments");

interface Sample {
  readonly experiment: string;
  readonly mode: WorkloadPlacement;
  readonly jsMs: number;
  readonly gatewayMs: number;
  readonly widestGapMs: number;
  readonly p99GapMs: number;
  readonly gatewayWidestGapMs: number;
  readonly loadAverage: number;
  readonly verdict: string;
}

const loadSamples: number[] = [];
const sampler = setInterval(() => loadSamples.push(loadavg()[0] ?? 0), 1_000);
const progress = new TaskList(new PassThrough() as unknown as NodeJS.WriteStream, { quietBelowMs: 0 });
const stack = await startLocalStack({
  nodes: 5,
  fleet: { manifest: DEFAULT_MANIFEST, mode: "process", gateways: 2 },
  progress,
  network: network as "auto" | "kernel" | "proxy",
  diskFaults: entries.some((entry) => entry.name === "disk-full"),
});
progress.finish();
const samples: Sample[] = [];
const stopLoad = new AbortController();
let load: Promise<unknown> | undefined;
try {
  process.env.GAUNTLET_TARGET = stack.targetFile;
  const context = await failoverContext();
  // Bounded by the abort once the experiments are done, and by its duration whatever happens.
  load = runLoad({
    scenario: fileURLToPath(new URL("../suites/load/gateway-mixed.ts", import.meta.url)),
    target: await resolveTargetFile(stack.targetFile),
    rate: loadRate,
    duration: 2 * 60 * 60_000,
    workers: 1,
    progress: false,
    signal: stopLoad.signal,
  });
  load.catch((error: unknown) => process.stderr.write(`load: ${(error as Error).message}\n`));
  for (const entry of entries) {
    for (const [index, run] of entry.cases.entries()) {
      const base = typeof run.spec === "function" ? run.spec(context) : run.spec;
      for (let repeat = 1; repeat <= runs; repeat++) {
        for (const mode of modes) {
          const name = `${base.name}-${mode}-${repeat}`;
          const loadBefore = loadSamples.length;
          const result: ExperimentResult = await runExperiment(
            context.target,
            {
              ...base,
              name,
              ...(base.gateway === false || !context.gatewayCall ? {} : { gateway: context.gatewayCall }),
              ...(faultMs === undefined ? {} : { timing: { ...base.timing, faultMs } }),
            },
            { seed: repeat + index, workloads: mode },
          );
          const v = result.verdict;
          const during = loadSamples.slice(loadBefore);
          const sample: Sample = {
            experiment: base.name,
            mode,
            jsMs: v.maxUnavailableMs ?? Number.NaN,
            gatewayMs: v.gatewayUnavailableMs ?? Number.NaN,
            widestGapMs: v.resolution.jetstream?.widestGapMs ?? Number.NaN,
            p99GapMs: v.resolution.jetstream?.p99GapMs ?? Number.NaN,
            gatewayWidestGapMs: v.resolution.gateway?.widestGapMs ?? Number.NaN,
            loadAverage: during.reduce((sum, value) => sum + value, 0) / Math.max(1, during.length),
            verdict: v.verdict,
          };
          samples.push(sample);
          const window = faultWindows(result.history)[0];
          const where = `widest at ${s(v.resolution.jetstream?.widestGapAtMs ?? Number.NaN)}${window ? ` (fault ${s(window.start / 1e6)}–${s(window.stop / 1e6)})` : ""}`;
          process.stderr.write(
            `${name}: JetStream ${s(sample.jsMs)}, gateway ${s(sample.gatewayMs)}; publish attempts ≤ ${ms(sample.widestGapMs)} apart (p99 ${ms(sample.p99GapMs)}, ${where}), gateway requests ≤ ${ms(sample.gatewayWidestGapMs)}; load avg ${sample.loadAverage.toFixed(2)}; ${v.resolution.workloads} — ${v.verdict}: ${v.reason}\n`,
          );
        }
      }
    }
  }
} finally {
  stopLoad.abort();
  await load?.catch(() => {});
  await stack.stop();
  clearInterval(sampler);
}

function s(value: number): string {
  return Number.isFinite(value) ? `${(value / 1000).toFixed(2)} s` : "n/a";
}
function ms(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(0)} ms` : "n/a";
}
const median = (list: readonly number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? Number.NaN;
const max = (list: readonly number[]) => {
  const finite = list.filter(Number.isFinite);
  return finite.length === 0 ? Number.NaN : Math.max(...finite);
};

const rows = [...new Set(samples.map((sample) => sample.experiment))].flatMap((experiment) =>
  modes.map((mode) => {
    const mine = samples.filter((sample) => sample.experiment === experiment && sample.mode === mode);
    return {
      experiment,
      workloads: mode,
      runs: mine.length,
      jetstreamUnavailable: s(median(mine.map((sample) => sample.jsMs))),
      gatewayUnavailable: s(median(mine.map((sample) => sample.gatewayMs))),
      widestGap: ms(max(mine.map((sample) => sample.widestGapMs))),
      p99Gap: ms(max(mine.map((sample) => sample.p99GapMs))),
      gatewayWidestGap: ms(max(mine.map((sample) => sample.gatewayWidestGapMs))),
      loadAverage: max(mine.map((sample) => sample.loadAverage)).toFixed(2),
      verdicts: mine.map((sample) => sample.verdict).join(","),
    };
  }),
);
console.table(rows);
for (const mode of modes) {
  const mine = samples.filter((sample) => sample.mode === mode);
  console.log(
    `${mode}: widest gap between publish attempts ${ms(max(mine.map((sample) => sample.widestGapMs)))} (median over experiments ${ms(median(mine.map((sample) => sample.widestGapMs)))}), p99 ≤ ${ms(max(mine.map((sample) => sample.p99GapMs)))}`,
  );
}
console.log(
  `load: gateway-mixed at ${loadRate}/s the whole run; 1-minute load average ${Math.min(...loadSamples).toFixed(2)}–${Math.max(...loadSamples).toFixed(2)} (mean ${(loadSamples.reduce((a, b) => a + b, 0) / Math.max(1, loadSamples.length)).toFixed(2)})`,
);
