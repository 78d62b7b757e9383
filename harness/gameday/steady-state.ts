import type { JournalProbeReading } from "../record/index.ts";
import { type ProbeContext, readProbe, toleranceOf } from "./probes/index.ts";
import { type Probe, probeKind, probeName } from "./schema.ts";

/** A deviation: a probe out of tolerance for longer than it tolerates. */
export interface Deviation {
  readonly probe: string;
  readonly phase: string;
  readonly detail: string;
  readonly tolerance: string;
}

/**
 * One probe of the hypothesis and everything it read: the readings go to the journal, and a
 * reading out of tolerance becomes a deviation once it has lasted `tolerate_for`.
 */
export class TrackedProbe {
  readonly probe: Probe;
  readonly name: string;
  readonly tolerance: string;
  readonly readings: JournalProbeReading[] = [];
  #badSince: number | undefined;
  #reported = false;

  constructor(probe: Probe) {
    this.probe = probe;
    this.name = probeName(probe);
    this.tolerance = toleranceOf(probe);
  }

  get kind(): string {
    return probeKind(this.probe);
  }

  get lastOk(): boolean | undefined {
    return this.readings.at(-1)?.ok;
  }

  /** Reads the probe; returns a deviation when this reading makes one (once per episode out of tolerance). */
  async read(context: ProbeContext, phase: string, now: () => number): Promise<Deviation | undefined> {
    const result = await readProbe(this.probe, context);
    const t = now();
    this.readings.push({ t, phase, ok: result.ok, value: result.value, detail: result.detail });
    if (result.ok) {
      this.#badSince = undefined;
      this.#reported = false;
      return undefined;
    }
    this.#badSince ??= t;
    if (this.#reported || (t - this.#badSince) * 1000 < this.probe.tolerate_for) return undefined;
    this.#reported = true;
    return { probe: this.name, phase, detail: result.detail, tolerance: this.tolerance };
  }

  /** Reads until the probe holds or `tolerate_for` has passed (at least once): before the method, and recovery after it. */
  async settle(context: ProbeContext, phase: string, now: () => number, signal: AbortSignal): Promise<Deviation | undefined> {
    const deadline = performance.now() + this.probe.tolerate_for;
    for (;;) {
      const result = await readProbe(this.probe, context);
      this.readings.push({ t: now(), phase, ok: result.ok, value: result.value, detail: result.detail });
      if (result.ok) return undefined;
      if (performance.now() >= deadline || signal.aborted)
        return { probe: this.name, phase, detail: result.detail, tolerance: this.tolerance };
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
