import { readFile } from "node:fs/promises";

export interface ProcessSample {
  /** Seconds since the run started. */
  t: number;
  /** CPU used since the previous sample, in percent of one core. */
  cpuPercent: number;
  rssBytes: number;
}

export interface VarzSample {
  t: number;
  cpu: number;
  mem: number;
  in_msgs: number;
  out_msgs: number;
  in_bytes: number;
  out_bytes: number;
  slow_consumers: number;
}

export interface ResourceUsage {
  processes: { pid: number; samples: ProcessSample[]; error?: string }[];
  nodes: { url: string; samples: VarzSample[]; error?: string }[];
}

/** Linux reports utime/stime in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

async function readCpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces) start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

async function readRssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

const VARZ_FIELDS = ["cpu", "mem", "in_msgs", "out_msgs", "in_bytes", "out_bytes", "slow_consumers"] as const;

/** Samples CPU and RSS of local pids and each monitoring URL's /varz once per interval while a run goes on. */
export class ResourceSampler {
  readonly usage: ResourceUsage;
  #startMs = performance.now();
  readonly #lastTicks = new Map<number, { ticks: number; at: number }>();
  #timer: NodeJS.Timeout | undefined;
  #pending: Promise<void> = Promise.resolve();

  constructor(pids: readonly number[], monitoringUrls: readonly string[]) {
    this.usage = {
      processes: pids.map((pid) => ({ pid, samples: [] })),
      nodes: monitoringUrls.map((url) => ({ url: url.replace(/\/+$/, ""), samples: [] })),
    };
  }

  start(intervalMs = 1000): this {
    this.#startMs = performance.now();
    if (this.usage.processes.length + this.usage.nodes.length === 0) return this;
    this.#pending = this.sample();
    this.#timer = setInterval(() => {
      this.#pending = this.#pending.then(() => this.sample());
    }, intervalMs);
    return this;
  }

  async sample(): Promise<void> {
    const now = performance.now();
    const t = (now - this.#startMs) / 1000;
    await Promise.all([
      ...this.usage.processes.map(async (process) => {
        if (process.error) return;
        try {
          const [ticks, rssBytes] = await Promise.all([readCpuTicks(process.pid), readRssBytes(process.pid)]);
          const last = this.#lastTicks.get(process.pid);
          this.#lastTicks.set(process.pid, { ticks, at: now });
          if (last)
            process.samples.push({ t, cpuPercent: (((ticks - last.ticks) / TICKS_PER_SECOND) * 100_000) / (now - last.at), rssBytes });
        } catch (error) {
          process.error = `cannot read /proc/${process.pid}: ${(error as Error).message}`;
        }
      }),
      ...this.usage.nodes.map(async (node) => {
        try {
          const response = await fetch(`${node.url}/varz`, { signal: AbortSignal.timeout(2000) });
          const varz = (await response.json()) as Record<string, number>;
          const sample = { t } as VarzSample;
          for (const field of VARZ_FIELDS) sample[field] = Number(varz[field] ?? 0);
          node.samples.push(sample);
          delete node.error;
        } catch (error) {
          node.error = `${node.url}/varz: ${(error as Error).message}`;
        }
      }),
    ]);
  }

  /** Stops sampling after one last sample, so even a run shorter than the interval has one. */
  async stop(): Promise<ResourceUsage> {
    if (this.#timer === undefined) return this.usage;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#pending;
    await this.sample();
    return this.usage;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
