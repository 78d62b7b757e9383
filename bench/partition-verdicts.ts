// How often do the partition experiments pass, per network, and does a replica stay behind after
// the heal (and for how long)? Runs `gauntlet chaos <experiment> --network <kind>` N times each,
// interleaved (round 1: every network × experiment, then round 2, …) so a partial run is still
// balanced; each run is one fresh local stack, bounded by --run-timeout-s. Per run it reads the
// run record: verdict, causes, the lost classes, the replicas that were behind before the final
// reads, and the time from the heal until the cluster was healthy (every stream replica current).
// Appends one JSON line per run to --out, prints a table per network × experiment at the end.
// `--experiments all` runs `chaos all` (every experiment on one stack, one after another, as a
// nightly does) and reports each experiment of it.
// Run: node bin/gauntlet.mjs exec node bench/partition-verdicts.ts [--runs 10] [--networks kernel,proxy]
//      [--experiments partition-minority,isolate-stream-leader|all] [--cluster-only] [--out FILE] [--runs-dir DIR]
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    runs: { type: "string" },
    networks: { type: "string" },
    experiments: { type: "string" },
    "cluster-only": { type: "boolean" },
    out: { type: "string" },
    "runs-dir": { type: "string" },
    "run-timeout-s": { type: "string" },
  },
});
const runs = Number(values.runs ?? 10);
const networks = (values.networks ?? "kernel,proxy").split(",");
const experiments = (values.experiments ?? "partition-minority,isolate-stream-leader").split(",");
const runsDir = values["runs-dir"] ?? join("reports", "bench-partition-verdicts");
const out = values.out ?? join(runsDir, "runs.jsonl");
const runTimeoutMs = Number(values["run-timeout-s"] ?? 300) * 1000;
mkdirSync(runsDir, { recursive: true });

interface Row {
  network: string;
  experiment: string;
  round: number;
  exitCode: number | null;
  verdict: string;
  causes: string[];
  reason: string;
  lost: Record<string, number>;
  lagging: { name: string; lag: number }[];
  healthyAfterHealS: number | null;
  networkUsed: string;
  runDir: string;
  wallS: number;
}

interface HistoryLine {
  process: string;
  f: string;
  type: string;
  time: number;
  value?: Record<string, unknown>;
}

function chaos(network: string, experiment: string, seed: number): Promise<{ code: number | null; log: string }> {
  const args = ["bin/gauntlet.mjs", "chaos", experiment, "--network", network, "--seed", String(seed), "--runs-dir", runsDir];
  if (values["cluster-only"]) args.push("--cluster-only");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    // SIGINT lets chaos stop its stack (nodes, namespaces) as Ctrl-C would.
    const timer = setTimeout(() => child.kill("SIGINT"), runTimeoutMs);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, log });
    });
  });
}

function newestRunDir(before: ReadonlySet<string>): string | undefined {
  return readdirSync(runsDir)
    .filter((entry) => !before.has(entry) && existsSync(join(runsDir, entry, "summary.json")))
    .sort()
    .at(-1);
}

const experimentOf = (entry: HistoryLine) =>
  entry.process.includes("/") ? entry.process.slice(0, entry.process.lastIndexOf("/")) : (entry.value?.experiment as string | undefined);

/** One row per experiment of the run (`chaos all` runs several on one stack, one after another). */
function readRows(runDir: string): Omit<Row, "network" | "round" | "exitCode" | "wallS" | "networkUsed">[] {
  const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
  const all: HistoryLine[] = existsSync(join(runDir, "history.jsonl"))
    ? readFileSync(join(runDir, "history.jsonl"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line))
    : [];
  return (summary.failover?.experiments ?? []).map(
    (experiment: { name: string; verdict: string; reason?: string; checkers?: Record<string, number> }) => ({
      experiment: experiment.name,
      ...readExperiment(
        experiment,
        all.filter((entry) => experimentOf(entry) === experiment.name),
        runDir,
      ),
    }),
  );
}

function readExperiment(
  experiment: { verdict: string; reason?: string; checkers?: Record<string, number> },
  history: readonly HistoryLine[],
  runDir: string,
): Omit<Row, "network" | "experiment" | "round" | "exitCode" | "wallS" | "networkUsed"> {
  const heal = history.find((entry) => entry.process === "nemesis" && entry.f === "stop");
  const healthy = history.find((entry) => entry.f === "cluster-healthy" && entry.value?.healthy === true);
  const replicas = history.findLast((entry) => entry.f === "stream-replicas");
  const reason: string = experiment.reason ?? "";
  const checkers = experiment.checkers ?? {};
  return {
    verdict: experiment.verdict,
    causes: [...reason.matchAll(/(?:^|; )([a-z/-]+) \(/g)].map((match) => match[1] as string),
    reason: reason.slice(0, 400),
    lost: { lost: checkers.lost ?? 0, lostOnMinority: checkers.lostOnMinority ?? 0, unreadable: checkers.unreadable ?? 0 },
    lagging: (replicas?.value?.lagging as { name: string; lag: number }[] | undefined) ?? [],
    healthyAfterHealS: heal && healthy ? Math.round((healthy.time - heal.time) / 1e7) / 100 : null,
    runDir,
  };
}

const rows: Row[] = [];
for (let round = 1; round <= runs; round++) {
  for (const network of networks) {
    for (const experiment of experiments) {
      const before = new Set(readdirSync(runsDir));
      const started = performance.now();
      const { code, log } = await chaos(network, experiment, round);
      const wallS = Math.round((performance.now() - started) / 100) / 10;
      const dir = newestRunDir(before);
      const networkUsed = /network: (kernel|proxy)/.exec(log)?.[1] ?? "?";
      const found = dir ? readRows(join(runsDir, dir)).map((row) => ({ network, round, exitCode: code, wallS, networkUsed, ...row })) : [];
      const runRows: Row[] =
        found.length > 0
          ? found
          : [
              {
                network,
                experiment,
                round,
                exitCode: code,
                wallS,
                networkUsed,
                verdict: "no-record",
                causes: [],
                reason: log.slice(-400),
                lost: {},
                lagging: [],
                healthyAfterHealS: null,
                runDir: "",
              },
            ];
      for (const row of runRows) {
        rows.push(row);
        appendFileSync(out, `${JSON.stringify(row)}\n`);
        console.log(
          `round ${round} ${network}/${row.experiment}: ${row.verdict}${row.causes.length ? ` (${row.causes.join(", ")})` : ""}, healthy ${row.healthyAfterHealS ?? "never"} s after heal, lagging ${row.lagging.map((r) => `${r.name}:${r.lag}`).join(" ") || "none"} [${wallS} s]`,
        );
      }
    }
  }
}

console.log("\nnetwork  experiment              runs  pass  fail  lag-after-heal  healthy-after-heal s (median/max)  causes");
for (const network of networks) {
  for (const experiment of [...new Set(rows.map((row) => row.experiment))]) {
    const mine = rows.filter((row) => row.network === network && row.experiment === experiment);
    const healthy = mine
      .map((row) => row.healthyAfterHealS)
      .filter((s): s is number => s !== null)
      .sort((a, b) => a - b);
    const causes = new Map<string, number>();
    for (const row of mine) for (const cause of row.causes) causes.set(cause, (causes.get(cause) ?? 0) + 1);
    console.log(
      [
        network.padEnd(8),
        experiment.padEnd(23),
        String(mine.length).padStart(4),
        String(mine.filter((row) => row.verdict === "pass").length).padStart(5),
        String(mine.filter((row) => row.verdict !== "pass").length).padStart(5),
        String(mine.filter((row) => row.lagging.length > 0).length).padStart(15),
        `${healthy[Math.floor(healthy.length / 2)] ?? "n/a"}/${healthy.at(-1) ?? "n/a"} (never: ${mine.length - healthy.length})`.padStart(
          34,
        ),
        ` ${[...causes].map(([cause, n]) => `${cause}×${n}`).join(" ") || "-"}`,
      ].join(" "),
    );
  }
}
