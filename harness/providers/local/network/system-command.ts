import { spawn } from "node:child_process";
import { NetworkError } from "./network-error.ts";

/** Runs `command` (ip, iptables-restore…) with `input` on stdin; rejects with its stderr when it fails. */
export function systemCommand(command: readonly string[], input = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = command as [string, ...string[]];
    const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"], timeout: 15_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once("error", (error) => reject(NetworkError.commandFailed(command, error.message, error)));
    child.once("close", (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(NetworkError.commandFailed(command, stderr || `exit ${code ?? signal}`));
    });
    // A command that reads no input may exit before it is written: that is no error.
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}
