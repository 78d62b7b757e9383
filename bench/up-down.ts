// `gauntlet up` to ready and `gauntlet down` to all processes gone, median of N runs (default 5):
// the 5-node cluster alone, then the full stack (22 services × 2, 2 gateways) co-hosted and with one
// process per replica; plus a warm bootstrap. Run: node bin/gauntlet.mjs exec node bench/up-down.ts [runs]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/gauntlet.mjs", import.meta.url));
const runs = Number(process.argv[2] ?? 5);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const show = (label: string, values: number[]) =>
  console.log(
    `${label.padEnd(58)} median ${median(values).toFixed(0).padStart(5)} ms   (min ${Math.min(...values).toFixed(0)}, max ${Math.max(...values).toFixed(0)})`,
  );

function processesIn(dir: string): number {
  return readdirSync("/proc").filter((entry) => {
    try {
      return /^\d+$/.test(entry) && readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(dir);
    } catch {
      return false;
    }
  }).length;
}

function up(args: readonly string[]): Promise<{ wallMs: number; readyMs: number; dir: string; id: string }> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "up", "--json", "--nodes", "5", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (!out.includes("\n")) return;
      const ready = JSON.parse(out.split("\n")[0] as string) as { readyMs: number; dir: string; id: string };
      resolve({ wallMs: performance.now() - startedAt, readyMs: ready.readyMs, dir: ready.dir, id: ready.id });
    });
    child.on("exit", (code) => reject(new Error(`up exited ${code}:\n${err}`)));
  });
}

async function down(id: string, dir: string): Promise<number> {
  const startedAt = performance.now();
  spawnSync(process.execPath, [BIN, "down", "--stack", id], { stdio: "ignore" });
  while (processesIn(dir) > 0 || existsSync(dir)) await new Promise((resolve) => setTimeout(resolve, 2));
  return performance.now() - startedAt;
}

const stacks = [
  { label: "5-node cluster", args: ["--cluster-only"] },
  { label: "full stack, co-hosted fleet", args: ["--fleet-mode", "cohosted"] },
  { label: "full stack, one process per replica", args: ["--fleet-mode", "process"] },
];
console.log(`${runs} runs each`);
for (const stack of stacks) {
  const wall: number[] = [];
  const ready: number[] = [];
  const stopped: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const result = await up(stack.args);
    wall.push(result.wallMs);
    ready.push(result.readyMs);
    stopped.push(await down(result.id, result.dir));
  }
  show(`${stack.label}: up, start → ready (in process)`, ready);
  show(`${stack.label}: up, command → ready (incl. Node start)`, wall);
  show(`${stack.label}: down → all processes gone`, stopped);
}

const warmBootstrap: number[] = [];
for (let i = 0; i < runs; i += 1) {
  const { GAUNTLET_BOOTSTRAPPED: _, ...env } = process.env;
  const startedAt = performance.now();
  spawnSync(process.execPath, [BIN, "--help"], { stdio: "ignore", env });
  warmBootstrap.push(performance.now() - startedAt);
}
show("warm bootstrap + `gauntlet --help`", warmBootstrap);
