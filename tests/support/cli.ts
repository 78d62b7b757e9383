import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const BIN = fileURLToPath(new URL("../../bin/gauntlet.mjs", import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gauntlet <args>` as a user would, to completion. */
export function gauntlet(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return runNode([BIN, ...args], options);
}

/** Runs this Node binary with `args` in the repository, to completion (SIGKILLed after `timeoutMs`). */
export function runNode(args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface UpReady {
  readonly id: string;
  readonly pid: number;
  readonly target: string;
  readonly dir: string;
  readonly nats: string[];
  readonly monitoring: string[];
  readonly gateways: string[];
}

/** Starts `gauntlet up --json` in the background and resolves when it printed its ready line. */
export function gauntletUp(
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
  options: { /** In a process group of its own, as a shell runs a job in a terminal. */ ownProcessGroup?: boolean } = {},
): Promise<{ child: ChildProcess; ready: UpReady; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "up", "--json", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      detached: options.ownProcessGroup ?? false,
    });
    let stdout = "";
    let stderr = "";
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      const line = stdout.split("\n").find((candidate) => candidate.startsWith("{"));
      if (line) resolve({ child, ready: JSON.parse(line) as UpReady, stderr: () => stderr });
    });
    child.on("exit", (code) => reject(new Error(`gauntlet up exited ${code} before it was ready:\n${stderr}`)));
  });
}
