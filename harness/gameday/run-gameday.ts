import { basename } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { GauntletError } from "../../lib/errors/index.ts";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";
import type { Target } from "../config/index.ts";
import { type ActiveFault, mulberry32, Nemesis, type Random } from "../nemesis/index.ts";
import { fetchTrusting } from "../net/trusted-fetch.ts";
import { clusterExpectationsOf, countServiceInstances, manifestOf } from "../probes/index.ts";
import { type GameDayJournal, JOURNAL_SCHEMA_VERSION, type JournalEvent, type JournalVerdict } from "../record/index.ts";
import { BlastRadiusError, guardHandles } from "../safety/index.ts";
import { BackgroundLoad } from "./background-load.ts";
import { gameDayGuard } from "./blast-radius.ts";
import { loadScenarioFile } from "./load-scenario.ts";
import { type GameDayTarget, nodeNamer } from "./open-target.ts";
import type { ProbeContext } from "./probes/index.ts";
import { readProbe } from "./probes/index.ts";
import type { GameDay, Step } from "./schema.ts";
import { probeName } from "./schema.ts";
import { resolveFault } from "./selectors.ts";
import { type Deviation, TrackedProbe } from "./steady-state.ts";

export const GAMEDAY_EXIT = { held: 0, deviated: 1, couldNotRun: 2, aborted: 3 } as const;

/** How the game day is running, for the live timeline. */
export interface GameDayObserver {
  /** Something happened: one line of the timeline, at `t` seconds since the start. */
  line(t: number, text: string): void;
  /** The probes' latest states and the loads' last 10 s, redrawn in place on a terminal. */
  status(line: string): void;
}

export interface RunGameDayOptions {
  readonly file: string;
  readonly gameDay: GameDay;
  readonly target: Target;
  readonly opened: GameDayTarget;
  readonly runId: string;
  readonly seed: number;
  /** Multiplies pauses, fault durations and max_duration (a short variant for tests). */
  readonly durationScale: number;
  /** Manual steps go on at once. */
  readonly yes: boolean;
  /** Waits for the operator at a manual step. */
  readonly prompt: (text: string) => Promise<void>;
  readonly observer: GameDayObserver;
  /** Ctrl-C / SIGTERM. */
  readonly signal: AbortSignal;
}

type AbortBy = Extract<JournalEvent, { type: "abort" }>["by"];

/** Why the method stopped early: the operator, a stop condition, max_duration or a signal. */
class Aborted extends GauntletError {
  override name = "Aborted";
  readonly by: AbortBy;
  constructor(by: AbortBy, reason: string) {
    super(reason, { exitCode: GAMEDAY_EXIT.aborted });
    this.by = by;
  }
}

/** A step that could not be carried out (a selector that matches nothing, an unfaultable target). */
class CouldNotRun extends GauntletError {
  override name = "CouldNotRun";
}

/**
 * Runs a game day: the steady-state hypothesis before the method, continuously during it (with
 * the stop conditions) and after it; the method's steps in order; every fault healed and the
 * rollbacks run whatever happens; a journal of all of it. Operator abort: `abort(reason)`;
 * notes: `note(text)`.
 */
export class GameDayRun {
  readonly #options: RunGameDayOptions;
  readonly #origin = performance.now();
  readonly #startedAt = new Date();
  readonly #events: JournalEvent[] = [];
  readonly #steady: TrackedProbe[];
  readonly #stopProbes: TrackedProbe[];
  readonly #loads = new Map<string, BackgroundLoad>();
  readonly #abort = new AbortController();
  readonly #faultEvents = new Map<ActiveFault, Extract<JournalEvent, { type: "fault" }>>();
  #nats: Promise<NatsConnection> | undefined;
  #nemesis: Nemesis | undefined;
  readonly #random: Random;
  #deviations: Deviation[] = [];

  constructor(options: RunGameDayOptions) {
    this.#options = options;
    this.#random = mulberry32(options.seed);
    this.#steady = options.gameDay.steady_state.probes.map((probe) => new TrackedProbe(probe));
    this.#stopProbes = options.gameDay.stop_conditions.flatMap((condition) =>
      "probe" in condition ? [new TrackedProbe(condition.probe)] : [],
    );
  }

  #now = (): number => Math.round(performance.now() - this.#origin) / 1000;

  #emit(event: JournalEvent, line: string): void {
    this.#events.push(event);
    this.#options.observer.line("end" in event && event.end !== undefined ? event.end : event.t, line);
  }

  note(text: string): void {
    this.#emit({ type: "note", t: this.#now(), text }, `note: ${text}`);
  }

  abort(reason: string, by: AbortBy = "operator"): void {
    if (!this.#abort.signal.aborted) this.#abort.abort(new Aborted(by, reason));
  }

  get #aborted(): Aborted | undefined {
    return this.#abort.signal.aborted ? (this.#abort.signal.reason as Aborted) : undefined;
  }

  #context(cluster: ProbeContext["cluster"], signal: AbortSignal): ProbeContext {
    const { target, opened } = this.#options;
    return {
      target,
      nats: () => {
        this.#nats ??= connect(natsConnectionOptions(target.nats, { name: "gauntlet-gameday" }));
        return this.#nats;
      },
      cluster,
      services: opened.services,
      loads: this.#loads,
      nodeName: nodeNamer(opened),
      nlbTargets: () => opened.nlbTargets(),
      fetch: fetchTrusting(target.gateway?.tls?.ca),
      signal,
    };
  }

  #scaled(ms: number): number {
    return ms * this.#options.durationScale;
  }

  #deviate(deviation: Deviation): void {
    this.#deviations.push(deviation);
    this.#emit(
      {
        type: "deviation",
        t: this.#now(),
        probe: deviation.probe,
        phase: deviation.phase,
        detail: deviation.detail,
        tolerance: deviation.tolerance,
      },
      `DEVIATION ${deviation.probe} (${deviation.phase}): ${deviation.detail} — tolerance ${deviation.tolerance}`,
    );
  }

  #statusLine(): string {
    const probes = this.#steady.map((probe) => `${probe.lastOk === undefined ? "·" : probe.lastOk ? "✔" : "✖"} ${probe.name}`).join("  ");
    const loads = [...this.#loads.values()].flatMap((load) => {
      const window = load.windows(10_000).at(-1);
      if (!window) return [];
      return [`${load.name}: p99 ${window.p99 === null ? "-" : window.p99.toFixed(0)} ms, errors ${(window.errorRate * 100).toFixed(1)}%`];
    });
    const faults = this.#nemesis?.active.map((fault) => fault.fault) ?? [];
    return [`+${this.#now().toFixed(0)}s`, probes, ...loads, ...(faults.length > 0 ? [`faults: ${faults.join(", ")}`] : [])].join("  │  ");
  }

  /** The hypothesis and the stop conditions, every period while the method runs. */
  async #monitor(context: ProbeContext, until: AbortSignal): Promise<void> {
    const { gameDay, opened } = this.#options;
    const alarms = [
      ...gameDay.stop_conditions.flatMap((condition) => ("alarm" in condition ? [condition.alarm] : [])),
      ...(this.#options.target.aws?.safety.stop_alarms ?? []),
    ];
    while (!until.aborted) {
      const readings = await Promise.all(
        this.#steady.filter((probe) => probe.probe.during).map((probe) => probe.read(context, "during", this.#now)),
      );
      for (const deviation of readings) if (deviation) this.#deviate(deviation);
      for (const probe of this.#stopProbes) {
        const tripped = await probe.read(context, "stop-condition", this.#now);
        if (tripped) this.abort(`stop condition ${probe.name}: ${tripped.detail}`, "stop-condition");
      }
      const firing = await opened.alarmsFiring(alarms).catch(() => []);
      if (firing.length > 0) this.abort(`stop condition: alarm ${firing.join(", ")} in ALARM`, "stop-condition");
      this.#options.observer.status(this.#statusLine());
      await sleep(gameDay.steady_state.period, undefined, { signal: until }).catch(() => {});
    }
  }

  async #inject(step: Step, index: number): Promise<void> {
    const nemesis = this.#nemesis;
    if (!nemesis)
      throw new CouldNotRun(`step ${index + 1} (${step.fault}): ${this.#options.opened.unfaultable ?? "the target cannot be faulted"}`);
    const { gameDay, opened } = this.#options;
    const hold = step.duration === undefined ? undefined : this.#scaled(step.duration);
    const remaining = this.#scaled(gameDay.max_duration) - (performance.now() - this.#origin);
    opened.setDeadMan((hold ?? Math.max(remaining, 0)) + 5_000);
    const resolved = await resolveFault(step, nemesis.target, this.#random);
    const injected: ActiveFault[] = [];
    for (const spec of resolved.specs) {
      const fault = await nemesis.inject(spec);
      const event = { type: "fault" as const, t: this.#now(), fault: fault.fault, target: fault.target };
      this.#faultEvents.set(fault, event);
      this.#emit(event, `fault ${fault.fault} ${JSON.stringify(fault.target)}${hold !== undefined ? ` for ${hold / 1000} s` : ""}`);
      if (nemesis.holdsItself(spec.kind)) await this.#heal(fault);
      else injected.push(fault);
    }
    if (hold === undefined) return;
    await sleep(hold, undefined, { signal: this.#abort.signal }).catch(() => {});
    for (const fault of injected) await this.#heal(fault);
  }

  async #heal(fault: ActiveFault): Promise<void> {
    await this.#nemesis?.heal(fault);
    const event = [...this.#faultEvents.entries()].find(
      ([active]) => active.fault === fault.fault && JSON.stringify(active.target) === JSON.stringify(fault.target),
    );
    if (event) {
      (event[1] as { end?: number }).end = this.#now();
      this.#faultEvents.delete(event[0]);
    }
    this.#options.observer.line(this.#now(), `healed ${fault.fault} ${JSON.stringify(fault.target)}`);
  }

  async #healAll(): Promise<void> {
    for (const fault of [...(this.#nemesis?.active ?? [])].reverse()) await this.#heal(fault).catch(() => {});
    await this.#nemesis?.healAll();
    for (const event of this.#faultEvents.values()) (event as { end?: number }).end ??= this.#now();
    this.#faultEvents.clear();
  }

  /** One step of the method or of the rollbacks. */
  async #step(step: Step, index: number, context: ProbeContext, phase: string): Promise<string> {
    const { yes, prompt } = this.#options;
    if (step.fault !== undefined) {
      await this.#inject(step, index);
      return "";
    }
    if (step.pause !== undefined) {
      await sleep(this.#scaled(step.pause), undefined, { signal: this.#abort.signal }).catch(() => {});
      return "";
    }
    if (step.probe) {
      const result = await readProbe(step.probe, context);
      if (!result.ok) this.#deviate({ probe: probeName(step.probe), phase, detail: result.detail, tolerance: "must hold at this step" });
      return result.detail;
    }
    if (step.load) {
      if ("start" in step.load) return await this.#startLoad(step.load);
      await this.#loads.get(step.load.stop)?.stop();
      return "";
    }
    if (step.manual !== undefined) {
      if (yes) return "skipped (--yes)";
      await prompt(step.manual);
      return "operator went on";
    }
    if (step.heal) await this.#healAll();
    return "";
  }

  async #startLoad(spec: Extract<NonNullable<Step["load"]>, { start: string }>): Promise<string> {
    const { gameDay, file, target } = this.#options;
    const scenario = loadScenarioFile(spec, file);
    if (!scenario) throw new CouldNotRun(`load ${spec.start}: no scenario ${spec.scenario ?? spec.start}`);
    const remaining = this.#scaled(gameDay.max_duration) - (performance.now() - this.#origin);
    const duration = spec.duration === undefined ? Math.max(remaining, 1_000) : this.#scaled(spec.duration);
    const load = await BackgroundLoad.start({
      name: spec.start,
      scenario,
      target,
      rate: spec.rate,
      duration,
      vus: spec.vus,
      workers: spec.workers,
      env: spec.env,
    });
    this.#loads.set(load.name, load);
    return `${basename(scenario, ".ts")}${spec.rate === undefined ? "" : ` at ${spec.rate}/s`}${spec.duration === undefined ? " until stopped" : ` for ${duration / 1000} s`}`;
  }

  #label(step: Step): string {
    if (step.name) return step.name;
    if (step.fault)
      return `${step.fault}${step.node ? ` node ${step.node}` : ""}${step.service ? ` service ${step.service}` : ""}${step.stream ? ` stream ${step.stream}` : ""}`;
    if (step.pause !== undefined) return `pause ${this.#scaled(step.pause) / 1000} s`;
    if (step.probe) return `probe ${probeName(step.probe)}`;
    if (step.load) return "start" in step.load ? `load start ${step.load.start}` : `load stop ${step.load.stop}`;
    if (step.manual !== undefined) return `manual: ${step.manual}`;
    return "heal all";
  }

  async #steps(steps: readonly Step[], context: ProbeContext, phase: "method" | "rollbacks"): Promise<void> {
    for (const [index, step] of steps.entries()) {
      if (phase === "method" && this.#aborted) return;
      const t = this.#now();
      const label = this.#label(step);
      this.#options.observer.line(t, `▶ ${phase === "method" ? "step" : "rollback"} ${index + 1}: ${label}`);
      try {
        const detail = await this.#step(step, index, context, phase);
        const event: JournalEvent =
          phase === "method"
            ? { type: "step", t, end: this.#now(), index, kind: stepKind(step), label, outcome: "ok", detail }
            : { type: "rollback", t, end: this.#now(), index, label, outcome: "ok", detail };
        this.#emit(event, `✔ ${label}${detail ? `: ${detail}` : ""}`);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        const event: JournalEvent =
          phase === "method"
            ? { type: "step", t, end: this.#now(), index, kind: stepKind(step), label, outcome: "failed", detail }
            : { type: "rollback", t, end: this.#now(), index, label, outcome: "failed", detail };
        this.#emit(event, `✖ ${label}: ${detail}`);
        if (phase === "method")
          throw error instanceof BlastRadiusError || error instanceof CouldNotRun
            ? error
            : new CouldNotRun(`step ${index + 1} (${label}): ${detail}`, { cause: error });
      }
    }
  }

  #phase(phase: "before" | "method" | "after" | "rollbacks"): void {
    this.#emit({ type: "phase", t: this.#now(), phase }, `— ${phase} —`);
  }

  async run(): Promise<GameDayJournal> {
    const { gameDay, target, opened, signal } = this.#options;
    const onSignal = () => this.abort("interrupted (Ctrl-C)", "signal");
    signal.addEventListener("abort", onSignal, { once: true });
    const maxDuration = setTimeout(
      () => this.abort(`max_duration ${this.#scaled(gameDay.max_duration) / 1000} s reached`, "max-duration"),
      this.#scaled(gameDay.max_duration),
    );
    maxDuration.unref();
    let couldNotRun: string | undefined;
    let beforeFailed = false;
    const monitorStop = new AbortController();
    let monitor: Promise<void> | undefined;
    const cluster = clusterExpectationsOf(target, await manifestOf(target).catch(() => undefined));
    // The method's probes stop with an abort; the after phase and the rollbacks still run then, and stop only on Ctrl-C.
    const context = this.#context(cluster, this.#abort.signal);
    const closing = this.#context(cluster, signal);
    try {
      if (opened.nemesis) {
        const guard = gameDayGuard(gameDay, target, opened.nemesis);
        await guard.refreshPlacement();
        const guarded = guardHandles(opened.nemesis, guard);
        const instancesOf = async (service: string) => countServiceInstances(await context.nats(), service, 1_000);
        this.#nemesis = new Nemesis({ ...guarded, instancesOf }, { random: this.#random, signal: this.#abort.signal });
      }
      this.#phase("before");
      // A probe out of tolerance for less than its tolerate_for is tolerated here as everywhere: it may settle.
      const before = await Promise.all(this.#steady.map((probe) => probe.settle(context, "before", this.#now, this.#abort.signal)));
      for (const deviation of before) {
        if (!deviation) continue;
        beforeFailed = true;
        this.#deviate(deviation);
      }
      if (!beforeFailed) {
        this.#phase("method");
        monitor = this.#monitor(context, AbortSignal.any([monitorStop.signal, this.#abort.signal]));
        await this.#steps(gameDay.method, context, "method");
      }
    } catch (error) {
      if (!this.#aborted) couldNotRun = error instanceof Error ? error.message : String(error);
    } finally {
      monitorStop.abort();
      await monitor;
      clearTimeout(maxDuration);
      try {
        await this.#healAll();
      } catch (error) {
        couldNotRun ??= `healing failed: ${error instanceof Error ? error.message : String(error)}`;
      }
      for (const load of this.#loads.values()) await load.stop();
    }
    const aborted = this.#aborted;
    if (aborted)
      this.#emit({ type: "abort", t: this.#now(), reason: aborted.message, by: aborted.by }, `ABORTED (${aborted.by}): ${aborted.message}`);
    if (!beforeFailed) {
      this.#phase("after");
      const deviations = await Promise.all(this.#steady.map((probe) => probe.settle(closing, "after", this.#now, signal)));
      for (const deviation of deviations) if (deviation) this.#deviate(deviation);
    }
    if (gameDay.rollbacks.length > 0) {
      this.#phase("rollbacks");
      await this.#steps(gameDay.rollbacks, closing, "rollbacks");
    }
    signal.removeEventListener("abort", onSignal);
    await (await this.#nats?.catch(() => undefined))?.close().catch(() => {});
    return this.#journal(couldNotRun, beforeFailed);
  }

  #journal(couldNotRun: string | undefined, beforeFailed: boolean): GameDayJournal {
    const { gameDay, file, target, opened } = this.#options;
    const aborted = this.#aborted;
    const [verdict, reason]: [JournalVerdict, string] = aborted
      ? ["aborted", aborted.message]
      : couldNotRun
        ? ["could-not-run", couldNotRun]
        : this.#deviations.length > 0
          ? [
              "deviated",
              beforeFailed
                ? `the steady state did not hold before the method (nothing was injected): ${describe(this.#deviations)}`
                : describe(this.#deviations),
            ]
          : ["held", "the steady-state hypothesis held before, during and after the method"];
    const exitCode = {
      held: GAMEDAY_EXIT.held,
      deviated: GAMEDAY_EXIT.deviated,
      "could-not-run": GAMEDAY_EXIT.couldNotRun,
      aborted: GAMEDAY_EXIT.aborted,
    }[verdict];
    const start = this.#startedAt.getTime();
    const awsEvents: JournalEvent[] = opened.awsCalls().map((call) => ({
      type: "aws-call",
      t: Math.max(0, (Date.parse(call.at) - start) / 1000),
      service: call.service,
      operation: call.operation,
      outcome: call.outcome,
    }));
    return {
      schema: JOURNAL_SCHEMA_VERSION,
      title: gameDay.title,
      file,
      description: gameDay.description,
      owner: gameDay.owner,
      tags: gameDay.tags,
      target: target.name,
      startedAt: this.#startedAt.toISOString(),
      durationS: this.#now(),
      verdict,
      reason,
      exitCode,
      probes: [...this.#steady, ...this.#stopProbes].map((probe) => ({
        name: probe.name,
        kind: probe.kind,
        tolerance: probe.tolerance,
        readings: probe.readings,
      })),
      load: [...this.#loads.values()].map((load) => ({
        name: load.name,
        scenario: basename(load.scenario, ".ts"),
        seconds: load.seconds(performance.timeOrigin + this.#origin),
      })),
      events: [...this.#events, ...awsEvents].sort((a, b) => a.t - b.t),
    };
  }
}

function describe(deviations: readonly Deviation[]): string {
  const [first] = deviations;
  return `${deviations.length} deviation(s); first: ${first?.probe} (${first?.phase}): ${first?.detail}`;
}

function stepKind(step: Step): string {
  return step.fault !== undefined
    ? "fault"
    : step.pause !== undefined
      ? "pause"
      : step.probe
        ? "probe"
        : step.load
          ? "load"
          : step.manual !== undefined
            ? "manual"
            : "heal";
}
