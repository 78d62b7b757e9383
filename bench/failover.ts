// Failover figures per fault, several runs each, on one local stack (5 nodes with cuttable
// routes, the reference fleet, 2 gateways): the unavailability window of JetStream publishes
// (sequence of acks from all publishers merged) and of gateway requests (POST /v1/events/EVENTS,
// the same stream through the gateway), lost/duplicated acknowledged messages, and the
// measurement resolution (widest spacing between publish attempts). Median/min/max per fault,
// and the gateway's window minus JetStream's, measured side by side in the same runs.
// Run: node bin/gauntlet.mjs exec node bench/failover.ts [--runs 3] [--faults kill-stream-leader,stop-node,...] [--fault-ms 10000]
import { PassThrough } from "node:stream";
import { parseArgs } from "node:util";
import { loadTarget } from "../harness/config/index.ts";
import { EXPERIMENT_STREAM, type ExperimentFault, experimentTarget, runExperiment } from "../harness/failover/index.ts";
import { DEFAULT_MANIFEST, startLocalStack } from "../harness/stack/index.ts";
import { TaskList } from "../harness/ui/index.ts";

const FAULTS: Record<string, ExperimentFault> = {
  "kill-stream-leader": { kind: "kill-stream-leader", stream: EXPERIMENT_STREAM },
  "stop-node": { kind: "stop-node", lameDuck: true },
  "kill-node": { kind: "kill-node" },
  "pause-node": { kind: "pause-node" },
  "partition-minority": { kind: "partition-minority" },
  "isolate-stream-leader": { kind: "isolate-stream-leader", stream: EXPERIMENT_STREAM },
  "kill-gateway-replica": { kind: "kill-gateway-replica" },
  "replace-node": { kind: "replace-node" },
  "step-down-meta": { kind: "step-down", leader: "meta" },
  "step-down-stream": { kind: "step-down", leader: "stream", stream: EXPERIMENT_STREAM },
};

const { values } = parseArgs({ options: { runs: { type: "string" }, faults: { type: "string" }, "fault-ms": { type: "string" } } });
const runs = Number(values.runs ?? 3);
const names = values.faults ? values.faults.split(",") : Object.keys(FAULTS);
for (const name of names)
  if (!FAULTS[name]) throw new Error(`--faults: unknown fault "${name}" (known: ${Object.keys(FAULTS).join(", ")})`);
const faultMs = Number(values["fault-ms"] ?? 10_000);

const stats = (list: readonly number[]) => {
  const sorted = [...list].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, min: sorted[0] ?? Number.NaN, max: sorted.at(-1) ?? Number.NaN };
};
const fmt = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)}` : "n/a");

const progress = new TaskList(new PassThrough() as unknown as NodeJS.WriteStream, { quietBelowMs: 0 });
const stack = await startLocalStack({
  nodes: 5,
  fleet: { manifest: DEFAULT_MANIFEST, mode: "process", gateways: 2 },
  progress,
  network: "proxy",
});
progress.finish();
const rows: Record<string, unknown>[] = [];
try {
  const target = await experimentTarget(await loadTarget(stack.targetFile));
  for (const name of names) {
    const samples: { js: number; gw: number; lost: number; duplicated: number; resolution: number; verdict: string }[] = [];
    for (let run = 1; run <= runs; run++) {
      const fault = FAULTS[name] as ExperimentFault;
      const result = await runExperiment(
        target,
        {
          name: `${name}-${run}`,
          fault,
          // A subject of its own per run: the final reads see this run's messages only.
          existingStream: { name: "EVENTS", subject: `events.bench.${name}-${run}.js`, filter: `events.bench.${name}-${run}.>` },
          kvClients: 0,
          gateway: { path: "/v1/events/EVENTS", body: { type: `bench.${name}-${run}.gw` }, stream: "EVENTS", timeoutMs: 10_000 },
          timing: { quietMs: 2_000, faultMs, recoveryMs: 3_000 },
        },
        { seed: run },
      );
      const v = result.verdict;
      samples.push({
        js: v.maxUnavailableMs ?? Number.NaN,
        gw: v.gatewayUnavailableMs ?? Number.NaN,
        lost: v.counts.lost ?? 0,
        duplicated: v.counts.duplicated ?? 0,
        resolution: v.resolutionMs ?? Number.NaN,
        verdict: v.verdict,
      });
      process.stderr.write(
        `${name} run ${run}: JetStream ${fmt(v.maxUnavailableMs ?? Number.NaN)} s, gateway ${fmt(v.gatewayUnavailableMs ?? Number.NaN)} s, lost ${v.counts.lost}, duplicated ${v.counts.duplicated}, resolution ${(v.resolutionMs ?? 0).toFixed(0)} ms — ${v.verdict}: ${v.reason}\n`,
      );
    }
    const js = stats(samples.map((s) => s.js));
    const gw = stats(samples.map((s) => s.gw));
    const diff = stats(samples.map((s) => s.gw - s.js));
    rows.push({
      fault: name,
      runs,
      jsUnavailableS: `${fmt(js.median)} (${fmt(js.min)}–${fmt(js.max)})`,
      gatewayUnavailableS: `${fmt(gw.median)} (${fmt(gw.min)}–${fmt(gw.max)})`,
      gatewayMinusJsS: `${fmt(diff.median)} (${fmt(diff.min)}–${fmt(diff.max)})`,
      lost: samples.reduce((sum, s) => sum + s.lost, 0),
      duplicated: samples.reduce((sum, s) => sum + s.duplicated, 0),
      resolutionMaxMs: Math.round(Math.max(...samples.map((s) => s.resolution))),
      verdicts: samples.map((s) => s.verdict).join(","),
    });
  }
} finally {
  await stack.stop();
}
console.table(rows);
