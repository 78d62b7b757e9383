import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { GauntletError } from "../../../lib/errors/index.ts";

// Why the nodes of a Docker cluster wait for each other before they start: the engine starts a
// stack's containers one after another (0.2–1.8 s from the first to the last on a loaded 2-core
// machine), and a new JetStream cluster elects its first meta leader 0.1–0.8 s after each server
// starts. A server whose peers are not up yet campaigns alone and votes for itself; the others then
// refuse it and each other, and the next election waits raft's 4–9 s timeout. So each node's config
// file is first a FIFO: its nats-server blocks reading it, and once every container runs, the
// configs are written to all of them at once, so the servers start within milliseconds of each
// other, as local processes do. Then each FIFO becomes a plain file with the same content, which a
// restarted container reads.

export class ConfigBarrierError extends GauntletError {
  override name = "ConfigBarrierError";

  static notReading(waiting: readonly string[], timeoutMs: number): ConfigBarrierError {
    return new ConfigBarrierError(
      `${waiting.join(", ")} did not start reading its config within ${timeoutMs} ms (its container did not run)`,
    );
  }
}

export interface BarrierFile {
  /** Who reads it, for errors. */
  readonly name: string;
  /** On this machine (bind-mounted into the container). */
  readonly path: string;
  readonly content: string;
}

const POLL_MS = 5;

export class ConfigBarrier {
  readonly #files: readonly BarrierFile[];
  readonly #writers = new Map<string, number>();

  private constructor(files: readonly BarrierFile[]) {
    this.#files = files;
  }

  /** Makes a FIFO at each path (readable by its owner only: configs hold passwords). */
  static create(files: readonly BarrierFile[]): ConfigBarrier {
    for (const file of files) rmSync(file.path, { force: true });
    execFileSync("mkfifo", ["-m", "600", ...files.map((file) => file.path)]);
    return new ConfigBarrier(files);
  }

  /**
   * Waits until a reader has every FIFO open (its server blocked at its config), then writes
   * every config and closes them together; the FIFOs are then plain files.
   */
  async release(options: { timeoutMs: number; signal?: AbortSignal }): Promise<void> {
    const deadline = performance.now() + options.timeoutMs;
    try {
      for (;;) {
        options.signal?.throwIfAborted();
        const waiting = this.#files.filter((file) => !this.#writers.has(file.path) && !this.#openWriter(file));
        if (waiting.length === 0) break;
        if (performance.now() > deadline)
          throw ConfigBarrierError.notReading(
            waiting.map((file) => file.name),
            options.timeoutMs,
          );
        await sleep(POLL_MS);
      }
      await Promise.all(this.#files.map((file) => this.#write(file, this.#writers.get(file.path) as number)));
    } finally {
      this.close();
    }
  }

  /** Closes what is still open and leaves plain files at the paths: safe to call more than once. */
  close(): void {
    for (const fd of this.#writers.values()) closeSync(fd);
    this.#writers.clear();
    for (const file of this.#files) {
      const partial = `${file.path}.${process.pid}`;
      writeFileSync(partial, file.content, { mode: 0o600 });
      renameSync(partial, file.path);
    }
  }

  /** Opening a FIFO for writing without blocking fails (ENXIO) until a reader has it open. */
  #openWriter(file: BarrierFile): boolean {
    try {
      this.#writers.set(file.path, openSync(file.path, constants.O_WRONLY | constants.O_NONBLOCK));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENXIO") return false;
      throw error;
    }
  }

  /** A pipe holds 64 KiB: a larger config is written as its reader drains it. */
  async #write(file: BarrierFile, fd: number): Promise<void> {
    const bytes = Buffer.from(file.content);
    let written = 0;
    while (written < bytes.length) {
      try {
        written += writeSync(fd, bytes, written);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
        await sleep(1);
      }
    }
    closeSync(fd);
    this.#writers.delete(file.path);
  }
}
