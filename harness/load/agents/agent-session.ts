import { availableParallelism, hostname } from "node:os";
import type { WebSocket } from "ws";
import { nowMs } from "../target.ts";
import { WorkerPool } from "../worker-pool.ts";
import { AGENT_PROTOCOL_VERSION, decodeMessage, encodeMessage, type FromAgent, type ToAgent } from "./agent-protocol.ts";
import { type LocalScenario, localScenario } from "./scenario-source.ts";

const USAGE_EVERY_MS = 1000;

/** One coordinator's run on this agent: its worker threads, driven by the coordinator's messages over one WebSocket. */
export class AgentSession {
  readonly #socket: WebSocket;
  readonly #log: (line: string) => void;
  #pool: WorkerPool | undefined;
  #scenario: LocalScenario | undefined;
  #usage: NodeJS.Timeout | undefined;
  readonly closed: Promise<void>;

  constructor(socket: WebSocket, workers: number, log: (line: string) => void) {
    this.#socket = socket;
    this.#log = log;
    this.closed = new Promise((resolve) => socket.once("close", () => void this.#end().then(resolve)));
    socket.on("message", (data) => {
      let message: ToAgent;
      try {
        message = decodeMessage<ToAgent>(String(data));
      } catch (error) {
        this.#fail(`unreadable message: ${(error as Error).message}`);
        return;
      }
      this.#handle(message);
    });
    this.#send({
      type: "hello",
      version: AGENT_PROTOCOL_VERSION,
      host: hostname(),
      pid: process.pid,
      cores: availableParallelism(),
      workers,
    });
  }

  #send(message: FromAgent): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.send(encodeMessage(message));
  }

  #fail(message: string): void {
    this.#log(`run failed: ${message}`);
    this.#send({ type: "failed", message });
  }

  #handle(message: ToAgent): void {
    switch (message.type) {
      case "sync":
        this.#send({ type: "synced", id: message.id, t0: message.t0, agentMs: nowMs() });
        return;
      case "prepare":
        if (this.#pool) this.#fail("prepare sent twice in one session");
        else this.#prepare(message);
        return;
      case "start":
        this.#pool?.start(message.runStartMs);
        return;
      case "abort":
        this.#pool?.abort(message.reason);
        return;
    }
  }

  #prepare(message: Extract<ToAgent, { type: "prepare" }>): void {
    try {
      this.#scenario = localScenario(message.scenario);
    } catch (error) {
      this.#fail(`cannot write the scenario ${message.scenario.path}: ${(error as Error).message}`);
      return;
    }
    this.#log(`running ${message.scenario.path} on workers ${message.plans.map((p) => p.worker).join(",")}`);
    const pool = WorkerPool.spawn({
      file: this.#scenario.file,
      plans: message.plans,
      target: message.target,
      env: message.env,
      data: message.data,
      flushMs: message.flushMs,
      onDelta: (worker, delta) => this.#send({ type: "delta", worker, delta }),
    });
    this.#pool = pool;
    pool.ready.then(() => this.#send({ type: "ready" }));
    pool.finished.then(
      () => {
        this.#log("run done");
        this.#send({ type: "done" });
      },
      (error: unknown) => {
        this.#fail(error instanceof Error ? error.message : String(error));
        void pool.close();
      },
    );
    this.#sampleUsage();
  }

  #sampleUsage(): void {
    const began = performance.now();
    let lastAt = began;
    let last = process.cpuUsage();
    this.#usage = setInterval(() => {
      const now = performance.now();
      const cpu = process.cpuUsage(last);
      last = process.cpuUsage();
      const cpuPercent = ((cpu.user + cpu.system) / 1000 / (now - lastAt)) * 100;
      lastAt = now;
      this.#send({ type: "usage", sample: { t: (now - began) / 1000, cpuPercent, rssBytes: process.memoryUsage.rss() } });
    }, USAGE_EVERY_MS);
  }

  /** The coordinator went away (done, aborted or crashed): nothing of its run stays behind. */
  async #end(): Promise<void> {
    clearInterval(this.#usage);
    this.#pool?.abort("the coordinator closed the session");
    await this.#pool?.close();
    this.#scenario?.dispose();
    this.#log("session closed");
  }

  async close(): Promise<void> {
    this.#socket.close(1001, "agent stopping");
    const timer = setTimeout(() => this.#socket.terminate(), 2000);
    await this.closed;
    clearTimeout(timer);
  }
}
