// Zero false failures: runs the smoke profile N times and `gauntlet chaos all` M times back to back
// on this machine against a healthy local stack, and counts failures by cause. Every failure it finds
// on a healthy system is a false failure to fix at its cause.
// Run: node bin/gauntlet.mjs exec node bench/soak.ts [smoke-runs=20] [chaos-runs=5]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/gauntlet.mjs", import.meta.url));
const smokeRuns = Number(process.argv[2] ?? 20);
const chaosRuns = Number(process.argv[3] ?? 5);
const PER_RUN_LIMIT_MS = 20 * 60_000;

interface Outcome {
  readonly label: string;
  readonly exitCode: number;
  readonly seconds: number;
  readonly reasons: readonly string[];
}

function latestSummary(runsDir: string): { reasons: string[]; seed?: number } | undefined {
  const runs = readdirSync(runsDir).filter((name) => name !== "latest");
  const last = runs.sort().at(-1);
  if (!last) return undefined;
  try {
    return JSON.parse(readFileSync(join(runsDir, last, "summary.json"), "utf8")) as { reasons: string[] };
  } catch {
    return undefined;
  }
}

function runOnce(label: string, args: readonly string[]): Promise<Outcome> {
  const runsDir = mkdtempSync(join(tmpdir(), "gauntlet-soak-"));
  const startedAt = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args, "--runs-dir", runsDir], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const limit = setTimeout(() => child.kill("SIGINT"), PER_RUN_LIMIT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(limit);
      const summary = latestSummary(runsDir);
      const lastLines = stderr.trim().split("\n").slice(-3).join(" | ");
      const reasons = summary?.reasons.length ? summary.reasons : code === 0 ? [] : [`no run record: ${lastLines}`];
      rmSync(runsDir, { recursive: true, force: true });
      resolve({ label, exitCode: code ?? (signal ? 128 : 1), seconds: (performance.now() - startedAt) / 1000, reasons });
    });
  });
}

const plan = [
  ...Array.from({ length: smokeRuns }, (_, i) => ({ label: `smoke #${i + 1}`, args: ["run", "--profile", "smoke"] })),
  ...Array.from({ length: chaosRuns }, (_, i) => ({ label: `chaos all #${i + 1}`, args: ["chaos", "all"] })),
];

const outcomes: Outcome[] = [];
for (const [index, step] of plan.entries()) {
  process.stderr.write(`[${index + 1}/${plan.length}] ${step.label} … `);
  const outcome = await runOnce(step.label, step.args);
  outcomes.push(outcome);
  process.stderr.write(
    `exit ${outcome.exitCode} in ${outcome.seconds.toFixed(0)} s${outcome.reasons.length ? `: ${outcome.reasons.join("; ")}` : ""}\n`,
  );
}

const byCause = new Map<string, string[]>();
for (const outcome of outcomes.filter((o) => o.exitCode !== 0))
  for (const reason of outcome.reasons) byCause.set(reason, [...(byCause.get(reason) ?? []), outcome.label]);

const failed = outcomes.filter((o) => o.exitCode !== 0);
console.log(`\nsoak: ${outcomes.length} runs, ${failed.length} failed`);
for (const kind of ["smoke", "chaos all"]) {
  const mine = outcomes.filter((o) => o.label.startsWith(kind));
  if (mine.length === 0) continue;
  const seconds = mine.map((o) => o.seconds).sort((a, b) => a - b);
  console.log(
    `  ${kind.padEnd(10)} ${mine.length - mine.filter((o) => o.exitCode !== 0).length}/${mine.length} passed, median ${seconds[Math.floor(seconds.length / 2)]?.toFixed(0)} s`,
  );
}
for (const [cause, labels] of byCause) console.log(`  cause: ${cause}\n    in: ${labels.join(", ")}`);
process.exitCode = failed.length === 0 ? 0 : 1;
