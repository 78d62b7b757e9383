import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const REAPER = fileURLToPath(new URL("./reaper.ts", import.meta.url));

/**
 * Cleans up after this process if it dies without cleaning up itself (SIGKILL, crash):
 * a detached reaper holds a pipe from us and, when it breaks, kills the registered
 * processes, deletes the registered network namespaces and links, unmounts the registered
 * mounts, removes the registered Docker stacks' containers and networks, and removes the registered temp dirs. One per harness process, started lazily.
 */
class CrashGuard {
  #reaper: ChildProcess | undefined;

  #send(line: string): void {
    if (!this.#reaper) {
      this.#reaper = spawn(process.execPath, [REAPER], { stdio: ["pipe", "ignore", "ignore"], detached: true });
      this.#reaper.unref();
      const stdin = this.#reaper.stdin;
      if (stdin && "unref" in stdin && typeof stdin.unref === "function") stdin.unref();
    }
    this.#reaper.stdin?.write(`${line}\n`);
  }

  watchProcess(pid: number): void {
    this.#send(`pid ${pid}`);
  }

  forgetProcess(pid: number): void {
    if (this.#reaper) this.#send(`forget-pid ${pid}`);
  }

  watchNamespace(name: string): void {
    this.#send(`netns ${name}`);
  }

  forgetNamespace(name: string): void {
    if (this.#reaper) this.#send(`forget-netns ${name}`);
  }

  watchLink(name: string): void {
    this.#send(`link ${name}`);
  }

  forgetLink(name: string): void {
    if (this.#reaper) this.#send(`forget-link ${name}`);
  }

  watchMount(path: string): void {
    this.#send(`mount ${path}`);
  }

  forgetMount(path: string): void {
    if (this.#reaper) this.#send(`forget-mount ${path}`);
  }

  /** Every container, network and volume labelled with this Docker stack's id (see `harness/providers/docker/labels.ts`). */
  watchDockerStack(id: string): void {
    this.#send(`docker-stack ${id}`);
  }

  forgetDockerStack(id: string): void {
    if (this.#reaper) this.#send(`forget-docker-stack ${id}`);
  }

  watchDir(path: string): void {
    this.#send(`dir ${path}`);
  }

  forgetDir(path: string): void {
    if (this.#reaper) this.#send(`forget-dir ${path}`);
  }
}

export const crashGuard = new CrashGuard();
