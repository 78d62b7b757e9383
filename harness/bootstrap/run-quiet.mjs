// Runs a command with its output hidden; a failure carries the last lines of its stderr.
// Plain JavaScript with no dependencies: the bootstrap uses it before `npm ci` and on old Node.
import { spawn } from "node:child_process";

export function runQuiet(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"], ...options });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolvePromise();
      else {
        const status = code === null ? `was stopped by ${signal}` : `exited ${code}`;
        reject(new Error(`${command} ${args.join(" ")} ${status}: ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
      }
    });
  });
}
