import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { GauntletError } from "../../../lib/errors/index.ts";
import { crashGuard } from "../../process/index.ts";
import type { NodeDisk } from "../stack.ts";

const run = promisify(execFile);
const BALLAST = ".gauntlet-ballast";
const CHUNK = Buffer.alloc(1024 * 1024);

export class DiskError extends GauntletError {
  override name = "DiskError";

  static cannotMount(dir: string, cause: unknown): DiskError {
    const detail = (cause as { stderr?: string }).stderr?.trim() || (cause as Error).message;
    return new DiskError(`cannot mount a tmpfs on ${dir}: ${detail}`, { cause });
  }
}

/** Why this process cannot give nodes a tmpfs store (undefined: it can try). */
export function tmpfsUnavailable(): string | undefined {
  if (process.platform !== "linux") return `needs Linux tmpfs mounts (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return "needs root to mount a tmpfs per node store";
  return undefined;
}

/**
 * A node's JetStream store on a tmpfs of its own, so a disk-full fault fills that node's disk and
 * nothing else on the machine: `fill()` writes a ballast file until ENOSPC, `free()` deletes it.
 * The mount is registered with the crash guard and unmounted by `unmount()` (stop the node first).
 */
export class TmpfsDisk implements NodeDisk {
  readonly dir: string;
  readonly sizeBytes: number;
  #mounted = true;

  private constructor(dir: string, sizeBytes: number) {
    this.dir = dir;
    this.sizeBytes = sizeBytes;
  }

  static async mount(dir: string, sizeBytes: number): Promise<TmpfsDisk> {
    const unavailable = tmpfsUnavailable();
    if (unavailable) throw new DiskError(`cannot mount a tmpfs on ${dir}: ${unavailable}`);
    mkdirSync(dir, { recursive: true });
    crashGuard.watchMount(dir);
    try {
      await run("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes},mode=0700`, "gauntlet-store", dir], { timeout: 15_000 });
    } catch (error) {
      crashGuard.forgetMount(dir);
      throw DiskError.cannotMount(dir, error);
    }
    return new TmpfsDisk(dir, sizeBytes);
  }

  async fill(): Promise<void> {
    const file = await open(join(this.dir, BALLAST), "a");
    try {
      for (;;) await file.write(CHUNK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
    } finally {
      await file.close();
    }
  }

  async free(): Promise<void> {
    await rm(join(this.dir, BALLAST), { force: true });
  }

  async unmount(): Promise<void> {
    if (!this.#mounted) return;
    this.#mounted = false;
    await run("umount", ["--lazy", this.dir], { timeout: 15_000 }).catch(() => {});
    crashGuard.forgetMount(this.dir);
  }
}

/**
 * A tmpfs store per directory when possible (root), `bytes` each; otherwise says why not through
 * `onProgress` and returns none, so the stack starts on plain directories.
 */
export async function mountStoreDisks(
  dirs: readonly string[],
  bytes: number,
  onProgress: (message: string) => void,
): Promise<TmpfsDisk[] | undefined> {
  const unavailable = tmpfsUnavailable();
  if (unavailable) {
    onProgress(`disk faults unavailable: ${unavailable}`);
    return undefined;
  }
  const disks: TmpfsDisk[] = [];
  try {
    for (const dir of dirs) disks.push(await TmpfsDisk.mount(dir, bytes));
  } catch (error) {
    await Promise.all(disks.map((disk) => disk.unmount()));
    onProgress(`disk faults unavailable: ${(error as Error).message}`);
    return undefined;
  }
  onProgress(`disk faults: each node's store on a ${Math.round(bytes / 1024 / 1024)} MiB tmpfs`);
  return disks;
}
