import type { StallableConsumer } from "../nemesis/index.ts";

/** The switch a `stall-consumer` fault turns on an experiment's processor (see `runProcessor`). */
export class ProcessorStall implements StallableConsumer {
  readonly stream: string;
  readonly consumer: string;
  #stalled = false;
  #listener: ((stalled: boolean) => void) | undefined;

  constructor(stream: string, consumer: string) {
    this.stream = stream;
    this.consumer = consumer;
  }

  get stalled(): boolean {
    return this.#stalled;
  }

  stall(): void {
    this.#stalled = true;
    this.#listener?.(true);
  }

  resume(): void {
    this.#stalled = false;
    this.#listener?.(false);
  }

  /** Told of every stall and resume: the processor may run in the workload process, where a switch of its own mirrors this one. */
  onChange(listener: (stalled: boolean) => void): void {
    this.#listener = listener;
  }
}
