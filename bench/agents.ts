// Load agents vs one process, side by side on this machine: 4 local agents with 1 worker each
// against 1 process with 4 workers, same scenario (bench/load-anchor-accuracy.ts), same offered rate,
// same server (bench/load-anchor-server.ts, its own process). Two rates: /delay (known holds of
// 20–119 ms, so p99 is the server's and a merge error would show) and /fast near this machine's
// capacity (where 4 processes' overhead would show as a lower achieved rate). Runs alternate
// single, agents, agents, single; each row is the mean of its two runs.
// Targets: achieved-throughput ratio ≥ 0.95; merged p99 within 5 % of the single-process p99.
// Fairness: every agent runs in a session of its own (so Ctrl-C reaches only the coordinator), and
// Linux's autogroup gives each session its own CPU share: on a busy machine 4 agents would get 4
// shares to the single process's one. So the bench (as root, cgroup v1) moves itself and its
// children into one cpu cgroup of its own, where autogroup does not apply, and removes it after.
// Run: node bin/gauntlet.mjs exec node bench/agents.ts [seconds-per-run=10] [delay-rate=400] [fast-rate=2000]
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { agentFleet, LocalAgents } from "../harness/load/agents/index.ts";
import { type LoadResult, runLoad } from "../harness/load/index.ts";

const seconds = Number(process.argv[2] ?? 10);
const delayRate = Number(process.argv[3] ?? 400);
const fastRate = Number(process.argv[4] ?? 2000);
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const CPU_ROOT = "/sys/fs/cgroup/cpu";
const cgroup = `${CPU_ROOT}/gauntlet-bench-agents-${process.pid}`;
let inCgroup = false;
try {
  if (existsSync(`${CPU_ROOT}/cgroup.procs`)) {
    mkdirSync(cgroup);
    writeFileSync(`${cgroup}/cgroup.procs`, String(process.pid));
    inCgroup = true;
  }
} catch (error) {
  process.stderr.write(
    `cannot use a cpu cgroup (${(error as Error).message}): agents may get more CPU than the single process on a busy machine\n`,
  );
}
function leaveCgroup(): void {
  if (!inCgroup) return;
  writeFileSync(`${CPU_ROOT}/cgroup.procs`, String(process.pid));
  rmdirSync(cgroup);
}

const server = spawn(process.execPath, [here("./load-anchor-server.ts")], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise<string>((resolve, reject) => {
  server.stdout?.once("data", (data) => resolve(String(data).trim()));
  server.once("exit", (code) => reject(new Error(`anchor server exited ${code}`)));
});
const agents = await new LocalAgents(4).withWorkers(1).start();

interface Figures {
  achieved: number;
  dropped: number;
  p50: number;
  p99: number;
  /** Generator CPU (coordinator and agents, every thread) per 1000 iterations: the cost of the split, robust to a busy machine. */
  cpuMsPerK: number;
}

/** CPU seconds a process has used, every thread included (utime + stime, USER_HZ 100). */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const generatorCpuSeconds = () =>
  cpuSecondsOf(process.pid) + agents.processes.reduce((sum, p) => sum + (p.pid === undefined ? 0 : cpuSecondsOf(p.pid)), 0);

const figures = (result: LoadResult, cpuSeconds: number): Figures => ({
  achieved: (result.metrics.iterations?.count ?? 0) / seconds,
  dropped: result.metrics.dropped_iterations?.count ?? 0,
  p50: result.metrics.http_req_duration?.trend?.med ?? Number.NaN,
  p99: result.metrics.http_req_duration?.trend?.p99 ?? Number.NaN,
  cpuMsPerK: (cpuSeconds * 1e6) / Math.max(1, result.metrics.iterations?.count ?? 0),
});

const mean = (runs: Figures[]): Figures => ({
  achieved: runs.reduce((s, r) => s + r.achieved, 0) / runs.length,
  dropped: runs.reduce((s, r) => s + r.dropped, 0) / runs.length,
  p50: runs.reduce((s, r) => s + r.p50, 0) / runs.length,
  p99: runs.reduce((s, r) => s + r.p99, 0) / runs.length,
  cpuMsPerK: runs.reduce((s, r) => s + r.cpuMsPerK, 0) / runs.length,
});

async function measure(path: string, rate: number, onAgents: boolean): Promise<Figures> {
  const cpuBefore = generatorCpuSeconds();
  const result = await runLoad({
    scenario: here("./load-anchor-accuracy.ts"),
    target: {},
    env: { URL: `http://127.0.0.1:${port}${path}` },
    rate,
    duration: seconds * 1000,
    progress: false,
    ...(onAgents ? { generators: agentFleet(agents.endpoints) } : { workers: 4 }),
  });
  const f = figures(result, generatorCpuSeconds() - cpuBefore);
  process.stderr.write(
    `${path} ${rate}/s ${onAgents ? "4 agents×1" : "1 process×4"}: ${f.achieved.toFixed(0)}/s, dropped ${f.dropped}, p50 ${f.p50.toFixed(2)} ms, p99 ${f.p99.toFixed(2)} ms, cpu ${f.cpuMsPerK.toFixed(0)} ms/1000 it\n`,
  );
  return f;
}

const rows: string[][] = [["endpoint", "offered/s", "setup", "achieved/s", "dropped", "p50 ms", "p99 ms", "cpu ms/1000 it"]];
const verdicts: string[] = [];
try {
  for (const [path, rate] of [
    ["/delay", delayRate],
    ["/fast", fastRate],
  ] as const) {
    const single1 = await measure(path, rate, false);
    const agents1 = await measure(path, rate, true);
    const agents2 = await measure(path, rate, true);
    const single2 = await measure(path, rate, false);
    const single = mean([single1, single2]);
    const fleet = mean([agents1, agents2]);
    for (const [setup, f] of [
      ["1 process × 4 workers", single],
      ["4 agents × 1 worker", fleet],
    ] as const) {
      rows.push([
        path,
        String(rate),
        setup,
        f.achieved.toFixed(0),
        f.dropped.toFixed(0),
        f.p50.toFixed(2),
        f.p99.toFixed(2),
        f.cpuMsPerK.toFixed(0),
      ]);
    }
    const ratio = fleet.achieved / single.achieved;
    const p99Diff = (fleet.p99 - single.p99) / single.p99;
    const cpuRatio = fleet.cpuMsPerK / single.cpuMsPerK;
    verdicts.push(
      `${path} at ${rate}/s: throughput ratio ${ratio.toFixed(3)} (target ≥ 0.95 ${ratio >= 0.95 ? "✓" : "✗"}), merged p99 ${(p99Diff * 100).toFixed(1)} % from single-process (target within 5 % ${Math.abs(p99Diff) <= 0.05 ? "✓" : "✗"}), generator CPU per iteration ×${cpuRatio.toFixed(2)}`,
    );
  }
} finally {
  server.kill("SIGTERM");
  await agents.stop();
  await new Promise((resolve) => (server.exitCode === null ? server.once("exit", resolve) : resolve(undefined)));
  leaveCgroup();
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
process.stdout.write(`${rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ")).join("\n")}\n\n${verdicts.join("\n")}\n`);
