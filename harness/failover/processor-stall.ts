import type { StallableConsumer } from "../nemesis/index.ts";

/** The switch a `stall-consumer` fault turns on an experiment's processor (see `runProcessor`). */
export class ProcessorStall implements StallableConsumer {
  readonly stream: string;
  readonly consumer: string;
  #stalled = false;

  constructor(stream: string, consumer: string) {
    this.stream = stream;
    this.consumer = consumer;
  }

  get stalled(): boolean {
    return this.#stalled;
  }

  stall(): void {
    this.#stalled = true;
  }

  resume(): void {
    this.#stalled = false;
  }
}
