import { parentPort, workerData } from "node:worker_threads";
import { Connections } from "./connections.ts";
import { type IterationFn, runScenario } from "./executor.ts";
import { MetricSink } from "./metrics.ts";
import type { FromWorker, ToWorker, WorkerInput } from "./protocol.ts";
import { nowMs } from "./target.ts";

const input = workerData as WorkerInput;
if (!parentPort) throw new Error("harness/load/worker.ts runs only as a worker thread");
const port = parentPort;
const send = (message: FromWorker) => port.postMessage(message);

async function main(): Promise<void> {
  const module = (await import(input.file)) as Record<string, unknown>;
  const functions = new Map<string, IterationFn>();
  for (const { scenario } of input.assignments) {
    const fn = module[scenario.exec];
    if (typeof fn !== "function")
      throw new Error(`${input.file}: scenario '${scenario.name}' runs '${scenario.exec}', which the module does not export as a function`);
    functions.set(scenario.name, fn as IterationFn);
  }
  const connections = new Connections(input.target);
  if (input.target.nats?.servers.length) await connections.nats().catch(() => undefined);
  const abort = new AbortController();
  const start = new Promise<number>((resolve) => {
    port.on("message", (message: ToWorker) => {
      if (message.type === "start") resolve(message.runStartMs);
      else {
        abort.abort(new Error(message.reason));
        // Aborted before the start: run nothing, report an empty delta.
        resolve(nowMs());
      }
    });
  });
  send({ type: "ready" });
  const runStartMs = await start;
  // nats.js builds an Error (with a stack) up front for every request so a later timeout can
  // point at the caller; at load rates that stack capture costs more than the request. Iteration
  // errors are recorded by name and message, so the run does without stacks.
  Error.stackTraceLimit = 0;
  const sink = new MetricSink((epochMs) => Math.floor((epochMs - runStartMs) / 1000));
  const flush = setInterval(() => send({ type: "delta", delta: sink.drain(Math.floor((nowMs() - runStartMs) / 1000)) }), input.flushMs);
  try {
    await Promise.all(
      input.assignments.map(({ scenario, workers, vuIdBase }) =>
        runScenario(
          scenario,
          {
            worker: input.worker,
            workers,
            runStartMs,
            sink,
            connections,
            target: input.target,
            env: input.env,
            data: input.data,
            signal: abort.signal,
            vuIdBase,
          },
          functions.get(scenario.name) as IterationFn,
        ),
      ),
    );
  } finally {
    clearInterval(flush);
    await connections.close();
  }
  send({ type: "done", delta: sink.drain() });
}

main().catch((error: unknown) => {
  send({
    type: "failed",
    message: error instanceof Error ? error.message : String(error),
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
  });
});
