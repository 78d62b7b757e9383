// `gauntlet up` to cluster-formed and `gauntlet down` to all processes gone, 5 nodes, median of
// N runs (default 5), plus a warm bootstrap. Run: node bin/gauntlet.mjs exec node bench/up-down.ts [runs]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/gauntlet.mjs", import.meta.url));
const runs = Number(process.argv[2] ?? 5);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

function processesIn(dir: string): number {
  return readdirSync("/proc").filter((entry) => {
    try {
      return /^\d+$/.test(entry) && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(dir);
    } catch {
      return false;
    }
  }).length;
}

function up(): Promise<{ wallMs: number; formedMs: number; dir: string; id: string }> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "up", "--json", "--nodes", "5"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (!out.includes("\n")) return;
      const ready = JSON.parse(out.split("\n")[0] as string) as { readyMs: number; dir: string; id: string };
      resolve({ wallMs: performance.now() - startedAt, formedMs: ready.readyMs, dir: ready.dir, id: ready.id });
    });
    child.on("exit", (code) => reject(new Error(`up exited ${code}`)));
  });
}

async function down(id: string, dir: string): Promise<number> {
  const startedAt = performance.now();
  spawnSync(process.execPath, [BIN, "down", "--stack", id], { stdio: "ignore" });
  while (processesIn(dir) > 0 || existsSync(dir)) await new Promise((resolve) => setTimeout(resolve, 2));
  return performance.now() - startedAt;
}

const wall: number[] = [];
const formed: number[] = [];
const stopped: number[] = [];
for (let i = 0; i < runs; i += 1) {
  const result = await up();
  wall.push(result.wallMs);
  formed.push(result.formedMs);
  stopped.push(await down(result.id, result.dir));
}
const warmBootstrap: number[] = [];
for (let i = 0; i < runs; i += 1) {
  const { GAUNTLET_BOOTSTRAPPED: _, ...env } = process.env;
  const startedAt = performance.now();
  spawnSync(process.execPath, [BIN, "--help"], { stdio: "ignore", env });
  warmBootstrap.push(performance.now() - startedAt);
}
const show = (label: string, values: number[]) =>
  console.log(
    `${label.padEnd(44)} median ${median(values).toFixed(0).padStart(5)} ms   (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`,
  );
console.log(`5-node local stack, ${runs} runs`);
show("up: start → cluster formed (in process)", formed);
show("up: command start → ready (incl. Node start)", wall);
show("down: command start → all processes gone", stopped);
show("warm bootstrap + `gauntlet --help`", warmBootstrap);
