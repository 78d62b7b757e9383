import type { Generators, GeneratorsFactory, GeneratorsInput } from "../generators.ts";
import { encodeHistogram, newHistogram } from "../histogram.ts";
import type { MetricDelta, SecondDelta, Tags } from "../metrics.ts";
import { isArrivalRate, maxVUsOf } from "../options.ts";
import { plan } from "../plan.ts";
import type { WorkerPlan } from "../protocol.ts";
import { arrivalOffsets, shareOf } from "../schedule.ts";
import { nowMs } from "../target.ts";
import { AgentConnection, type AgentEndpoint } from "./agent-connection.ts";
import { AgentError } from "./agent-error.ts";
import type { FromAgent, UsageSample } from "./agent-protocol.ts";
import type { AgentReport } from "./agent-report.ts";
import { readScenarioSource } from "./scenario-source.ts";

export interface AgentFleetOptions {
  /** An agent heard from for this long during the run is lost (default 10 s): its missed starts count as dropped. */
  stallTimeoutMs?: number;
  /** How long agents may take to load the scenario and connect (default 2 min). */
  prepareTimeoutMs?: number;
  /** How often each worker hands over its deltas (default 500 ms). */
  flushMs?: number;
}

/** Worker indexes in the whole run, dealt round-robin so that a scenario with few VUs still spreads over the agents. */
export function dealWorkers(workerCounts: readonly number[]): number[][] {
  const indexes = workerCounts.map((): number[] => []);
  let next = 0;
  for (let round = 0; round < Math.max(0, ...workerCounts); round++) {
    workerCounts.forEach((count, agent) => {
      if (round < count) indexes[agent]?.push(next++);
    });
  }
  return indexes;
}

/** One worker's arrivals of one scenario, read in order as the run goes on: memory stays per second, not per arrival. */
interface ArrivalCursor {
  startMs: number;
  offsets: Generator<number>;
  next: IteratorResult<number>;
}

class AgentRun {
  readonly connection: AgentConnection;
  readonly offsetMs: number;
  readonly rttMs: number;
  readonly plans: WorkerPlan[];
  /** Arrivals its share of the arrival-rate schedules holds. */
  readonly scheduled: number;
  readonly vus: number;
  /** Tags of the drops counted for it when it is lost: its scenario's when it runs one arrival-rate scenario. */
  readonly lostTags: Tags;
  state: "preparing" | "ready" | "running" | "done" | "lost" | "failed" = "preparing";
  lastHeardMs = nowMs();
  lost: { atS: number; reason: string; missedStarts: number } | null = null;
  readonly counts = { started: 0, completed: 0, dropped: 0, requests: 0, errors: 0 };
  /** Per second of the run: arrivals due so far, those it reported started or dropped, and drops counted for it once lost. */
  readonly #due = new Map<number, number>();
  readonly reported = new Map<number, number>();
  readonly #synthesized = new Map<number, number>();
  readonly #cursors: ArrivalCursor[] = [];
  readonly usage: UsageSample[] = [];
  readonly ready: Promise<void>;
  readonly finished: Promise<void>;
  markReady: () => void = () => undefined;
  markFinished: () => void = () => undefined;
  fail: (error: Error) => void = () => undefined;

  constructor(connection: AgentConnection, clock: { offsetMs: number; rttMs: number }, plans: WorkerPlan[]) {
    this.connection = connection;
    this.offsetMs = clock.offsetMs;
    this.rttMs = clock.rttMs;
    this.plans = plans;
    let vus = 0;
    let scheduled = 0;
    const arrivalScenarios = new Map<string, Tags>();
    for (const { worker, assignments } of plans) {
      for (const { scenario, workers } of assignments) {
        vus += shareOf(maxVUsOf(scenario), worker, workers);
        if (!isArrivalRate(scenario)) continue;
        arrivalScenarios.set(scenario.name, scenario.tags);
        for (const _ of arrivalOffsets(scenario.segments, worker, workers)) scheduled += 1;
        const offsets = arrivalOffsets(scenario.segments, worker, workers);
        this.#cursors.push({ startMs: scenario.startMs, offsets, next: offsets.next() });
      }
    }
    this.scheduled = scheduled;
    this.vus = vus;
    const only = arrivalScenarios.size === 1 ? [...arrivalScenarios.values()][0] : undefined;
    this.lostTags = { ...only, agent: connection.endpoint.name };
    this.ready = new Promise((resolve) => {
      this.markReady = resolve;
    });
    this.finished = new Promise((resolve, reject) => {
      this.markFinished = resolve;
      this.fail = reject;
    });
    this.finished.catch(() => undefined);
  }

  get name(): string {
    return this.connection.endpoint.name;
  }

  /** Drops for arrivals due before `untilRunMs` that it never reported: they are missed starts, not lost ones. */
  missedDelta(untilRunMs: number): MetricDelta | undefined {
    for (const cursor of this.#cursors) {
      while (!cursor.next.done && cursor.startMs + cursor.next.value < untilRunMs) {
        const second = Math.floor((cursor.startMs + cursor.next.value) / 1000);
        this.#due.set(second, (this.#due.get(second) ?? 0) + 1);
        cursor.next = cursor.offsets.next();
      }
    }
    const seconds: SecondDelta[] = [];
    let total = 0;
    for (const [second, count] of this.#due) {
      const missing = count - (this.reported.get(second) ?? 0) - (this.#synthesized.get(second) ?? 0);
      if (missing <= 0) continue;
      this.#synthesized.set(second, (this.#synthesized.get(second) ?? 0) + missing);
      seconds.push({ second, started: 0, completed: 0, requests: 0, errors: 0, dropped: missing, latency: EMPTY_LATENCY });
      total += missing;
    }
    if (total === 0) return undefined;
    this.counts.dropped += total;
    if (this.lost) this.lost.missedStarts += total;
    return {
      trends: [],
      counters: [{ name: "dropped_iterations", tags: this.lostTags, value: total }],
      rates: [],
      seconds,
      activeVUs: 0,
      completeBefore: Number.POSITIVE_INFINITY,
    };
  }
}

const EMPTY_LATENCY = encodeHistogram(newHistogram());

class AgentFleet implements Generators {
  readonly workers: number;
  readonly ready: Promise<void>;
  readonly finished: Promise<void>;
  readonly #agents: AgentRun[];
  readonly #input: GeneratorsInput;
  readonly #stallTimeoutMs: number;
  readonly #scheduled: number;
  readonly #totalVus: number;
  #runStartMs = 0;
  #abortedAtMs: number | undefined;
  #watch: NodeJS.Timeout | undefined;
  #lastWatchMs = 0;

  constructor(
    input: GeneratorsInput,
    connections: { connection: AgentConnection; clock: { offsetMs: number; rttMs: number } }[],
    options: AgentFleetOptions,
  ) {
    this.#input = input;
    this.#stallTimeoutMs = options.stallTimeoutMs ?? 10_000;
    const indexes = dealWorkers(connections.map(({ connection }) => connection.hello.workers));
    const planned = plan(input.scenarios, indexes.flat().length);
    this.#agents = connections.map(
      ({ connection, clock }, a) =>
        new AgentRun(
          connection,
          clock,
          (indexes[a] ?? []).map((worker) => ({ worker, assignments: planned[worker] ?? [] })).filter((p) => p.assignments.length > 0),
        ),
    );
    this.workers = this.#agents.reduce((sum, a) => sum + a.plans.length, 0);
    this.#scheduled = this.#agents.reduce((sum, a) => sum + a.scheduled, 0);
    this.#totalVus = this.#agents.reduce((sum, a) => sum + a.vus, 0);
    const scenario = readScenarioSource(input.file);
    const prepareTimeout = setTimeout(() => {
      for (const agent of this.#agents)
        if (agent.state === "preparing")
          agent.fail(AgentError.failed(input.file, agent.name, `not ready after ${(options.prepareTimeoutMs ?? 120_000) / 1000}s`));
    }, options.prepareTimeoutMs ?? 120_000);
    for (const agent of this.#agents) {
      agent.connection.onMessage((message) => this.#receive(agent, message));
      agent.connection.onClose((why) => this.#closed(agent, why));
      agent.connection.send({
        type: "prepare",
        scenario,
        plans: agent.plans,
        target: input.target,
        env: input.env,
        data: input.data,
        flushMs: options.flushMs ?? 500,
      });
    }
    this.ready = Promise.all(this.#agents.map((a) => a.ready)).then(() => clearTimeout(prepareTimeout));
    this.finished = Promise.all(this.#agents.map((a) => a.finished)).then(() => {
      clearInterval(this.#watch);
      const until = this.#abortedAtMs === undefined ? Number.POSITIVE_INFINITY : this.#abortedAtMs - this.#runStartMs;
      for (const agent of this.#agents) if (agent.state === "lost") this.#countMissed(agent, until);
    });
    this.finished.catch(() => clearTimeout(prepareTimeout));
  }

  #receive(agent: AgentRun, message: FromAgent): void {
    if (agent.state === "lost" || agent.state === "failed") return;
    agent.lastHeardMs = nowMs();
    switch (message.type) {
      case "ready":
        agent.state = "ready";
        agent.markReady();
        return;
      case "delta":
        if (!agent.plans.some((p) => p.worker === message.worker)) {
          agent.state = "failed";
          agent.fail(AgentError.protocol(agent.name, `sent a delta for worker ${message.worker}, which is not one of its own`));
          return;
        }
        for (const s of message.delta.seconds) {
          agent.counts.started += s.started;
          agent.counts.completed += s.completed;
          agent.counts.dropped += s.dropped;
          agent.counts.requests += s.requests;
          agent.counts.errors += s.errors;
          agent.reported.set(s.second, (agent.reported.get(s.second) ?? 0) + s.started + s.dropped);
        }
        this.#input.onDelta(message.worker, message.delta);
        return;
      case "usage":
        agent.usage.push(message.sample);
        return;
      case "done":
        agent.state = "done";
        agent.markFinished();
        return;
      case "failed":
        agent.state = "failed";
        agent.fail(AgentError.failed(this.#input.file, agent.name, message.message));
        return;
      default:
        agent.fail(AgentError.protocol(agent.name, `unexpected '${message.type}' during the run`));
    }
  }

  #closed(agent: AgentRun, why: string): void {
    if (agent.state === "done" || agent.state === "lost" || agent.state === "failed") return;
    if (agent.state === "running") this.#lose(agent, why);
    else {
      agent.state = "failed";
      agent.fail(AgentError.failed(this.#input.file, agent.name, `${why} before the start`));
    }
  }

  /** A lost agent stops counting: its missed starts become drops, and the run goes on with the others. */
  #lose(agent: AgentRun, reason: string): void {
    const atMs = nowMs() - this.#runStartMs;
    const countUntilMs = Math.min(atMs, (this.#abortedAtMs ?? Number.POSITIVE_INFINITY) - this.#runStartMs);
    agent.state = "lost";
    agent.lost = { atS: atMs / 1000, reason, missedStarts: 0 };
    agent.connection.terminate();
    this.#countMissed(agent, countUntilMs);
    this.#input.notice(`agent ${agent.name} lost ${(atMs / 1000).toFixed(1)}s into the run: ${reason}; its missed starts count as dropped`);
    agent.markFinished();
  }

  #countMissed(agent: AgentRun, untilRunMs: number): void {
    const [first, ...others] = agent.plans;
    if (!first) return;
    // Its workers hand over nothing more: their seconds are complete.
    this.#input.onDelta(first.worker, agent.missedDelta(untilRunMs) ?? EMPTY_DELTA);
    for (const { worker } of others) this.#input.onDelta(worker, EMPTY_DELTA);
  }

  start(): number {
    const leadMs = Math.max(200, 4 * Math.max(...this.#agents.map((a) => a.rttMs)));
    this.#runStartMs = nowMs() + leadMs;
    for (const agent of this.#agents) {
      agent.state = agent.state === "ready" ? "running" : agent.state;
      agent.lastHeardMs = nowMs();
      agent.connection.send({ type: "start", runStartMs: this.#runStartMs + agent.offsetMs });
    }
    this.#lastWatchMs = nowMs();
    this.#watch = setInterval(() => this.#watchAgents(), 500);
    return this.#runStartMs;
  }

  #watchAgents(): void {
    const now = nowMs();
    // This process was too busy to read its sockets: the silence may be ours, not the agents'.
    if (now - this.#lastWatchMs > this.#stallTimeoutMs / 2) {
      for (const agent of this.#agents) agent.lastHeardMs = Math.max(agent.lastHeardMs, now);
    }
    this.#lastWatchMs = now;
    const untilRunMs = (this.#abortedAtMs ?? now) - this.#runStartMs;
    for (const agent of this.#agents) {
      if (agent.state === "running" && now - agent.lastHeardMs > this.#stallTimeoutMs) {
        this.#lose(agent, `stalled: nothing heard for ${((now - agent.lastHeardMs) / 1000).toFixed(1)}s`);
      } else if (agent.state === "lost") this.#countMissed(agent, untilRunMs);
    }
  }

  abort(reason: string): void {
    this.#abortedAtMs ??= nowMs();
    for (const agent of this.#agents) if (agent.state !== "lost") agent.connection.send({ type: "abort", reason });
  }

  async close(): Promise<void> {
    clearInterval(this.#watch);
    await Promise.all(this.#agents.map((a) => a.connection.close()));
  }

  agents(): AgentReport[] {
    return this.#agents.map((agent) => {
      const { hello } = agent.connection;
      const share = this.#scheduled > 0 ? agent.scheduled / this.#scheduled : this.#totalVus > 0 ? agent.vus / this.#totalVus : 0;
      const behind = agent.lost
        ? `lost ${agent.lost.atS.toFixed(1)}s into the run (${agent.lost.reason}); ${agent.lost.missedStarts} missed starts counted as dropped`
        : agent.counts.dropped > 0
          ? `dropped ${agent.counts.dropped} of its ${agent.scheduled} arrivals (${((agent.counts.dropped / Math.max(1, agent.scheduled)) * 100).toFixed(1)}%)`
          : null;
      return {
        name: agent.name,
        url: agent.connection.endpoint.url,
        host: hello.host,
        pid: hello.pid,
        cores: hello.cores,
        workers: agent.plans.map((p) => p.worker),
        clockOffsetMs: agent.offsetMs,
        rttMs: agent.rttMs,
        scheduled: agent.scheduled,
        vus: agent.vus,
        share,
        ...agent.counts,
        behind,
        lost: agent.lost,
        usage: agent.usage,
      };
    });
  }
}

const EMPTY_DELTA: MetricDelta = {
  trends: [],
  counters: [],
  rates: [],
  seconds: [],
  activeVUs: 0,
  completeBefore: Number.POSITIVE_INFINITY,
};

/**
 * Generators on agents (`gauntlet agent`): the scenario's schedules dealt over every agent's workers, one shared
 * start on each agent's own clock, every worker's deltas merged into the run's one store as local workers' are.
 */
export function agentFleet(endpoints: readonly AgentEndpoint[], options: AgentFleetOptions = {}): GeneratorsFactory {
  return async (input) => {
    if (endpoints.length === 0) throw new AgentError("no agents to run on");
    const opened = await Promise.allSettled(endpoints.map((endpoint) => AgentConnection.openWhenFree(endpoint)));
    const connections = opened.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
    const failure = opened.find((o) => o.status === "rejected");
    try {
      if (failure) throw failure.reason;
      const clocks = await Promise.all(connections.map((c) => c.sync()));
      const fleet = new AgentFleet(
        input,
        connections.map((connection, i) => ({ connection, clock: clocks[i] as { offsetMs: number; rttMs: number } })),
        options,
      );
      input.notice(
        `agents: ${connections.map((c) => `${c.endpoint.name} (${c.hello.workers} worker${c.hello.workers === 1 ? "" : "s"} on ${c.hello.host})`).join(", ")}`,
      );
      return fleet;
    } catch (error) {
      await Promise.all(connections.map((c) => c.close()));
      throw error;
    }
  };
}
