import { type HistoryEntry, HistoryRecorder, type HistorySink, PROBE } from "../history/index.ts";
import { PROCESSOR_DURABLE } from "./experiment.ts";
import { raiseProcessPriority } from "./process-priority.ts";
import { ProcessorStall } from "./processor-stall.ts";
import { asThrown } from "./workload-error.ts";
import type { FromWorkloadProcess, ToWorkloadProcess, WorkloadProcessInput } from "./workload-protocol.ts";
import { type RunningWorkloads, startWorkloads } from "./workload-set.ts";

// The experiment's workloads and probes in a process of their own (forked by WorkloadRunner, IPC
// with advanced serialization): stack control, load and checkers in the harness cannot delay an
// attempt, and this process alone can be given a real-time priority.
if (!process.send) throw new Error("harness/failover/workload-process.ts runs only as a child process with an IPC channel");
const send = (message: FromWorkloadProcess) => process.send?.(message);
// The harness went away (crashed, killed): nothing to report to, nothing to keep running.
process.on("disconnect", () => process.exit(1));

// nats.js builds an Error (with a stack) up front for every request so that a timeout can point at
// its caller: a flood of completions after an outage then costs this loop more than the attempts
// it must keep starting on time. Errors are recorded by class and message, without stacks.
Error.stackTraceLimit = 0;

/** Hands recorded entries to the harness in batches. */
class IpcSink implements HistorySink {
  #batch: HistoryEntry[] = [];
  readonly #timer: NodeJS.Timeout;

  constructor(flushMs: number) {
    this.#timer = setInterval(() => this.flush(), flushMs);
  }

  write(entry: HistoryEntry): void {
    this.#batch.push(entry);
  }

  flush(): void {
    if (this.#batch.length === 0) return;
    send({ type: "entries", json: JSON.stringify(this.#batch) });
    this.#batch = [];
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.flush();
  }
}

async function start(input: WorkloadProcessInput): Promise<void> {
  const history = new HistoryRecorder({ sink: new IpcSink(input.flushMs), keepInMemory: false, startNs: input.startNs });
  history.probe(PROBE.workloads, { placement: "process", scheduling: raiseProcessPriority() });
  const consumer = input.plan.consumer;
  const stall = consumer ? new ProcessorStall(consumer.stream, PROCESSOR_DURABLE) : undefined;
  let workloads: RunningWorkloads;
  try {
    workloads = await startWorkloads(input.plan, history, stall);
  } catch (error) {
    await history.close();
    send({ type: "failed", error: asThrown(error) });
    return;
  }
  process.on("message", async (message: ToWorkloadProcess) => {
    if (message.type === "stop-workloads") return workloads.stopWorkloads();
    if (message.type === "processor-stalled") return message.stalled ? stall?.stall() : stall?.resume();
    if (message.type !== "finish") return;
    const failures = await workloads.finish();
    await history.close();
    send({ type: "finished", failures: failures.map(asThrown) });
    process.disconnect();
  });
  send({ type: "started" });
}

process.once("message", (message: ToWorkloadProcess) => {
  if (message.type === "start") void start(message);
});
