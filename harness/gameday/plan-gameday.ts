import { connect } from "@nats-io/transport-node";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";
import type { Target } from "../config/index.ts";
import { type FaultSpec, findMetaLeader, findStreamLeader, mulberry32, type NemesisTarget } from "../nemesis/index.ts";
import { fetchTrusting } from "../net/trusted-fetch.ts";
import { clusterExpectationsOf, countServiceInstances, manifestOf } from "../probes/index.ts";
import { replicaServiceOf } from "../safety/index.ts";
import { gameDayGuard } from "./blast-radius.ts";
import { type GameDayTarget, nodeNamer } from "./open-target.ts";
import { type ProbeContext, readProbe, toleranceOf } from "./probes/index.ts";
import { type GameDay, probeName, type Step } from "./schema.ts";
import { resolveFault } from "./selectors.ts";

export interface GameDayPlan {
  readonly lines: readonly string[];
  /** Steady-state probes that do not hold now. */
  readonly notHolding: number;
  /** Selectors that match nothing, faults the blast radius would refuse, a target that cannot be faulted. */
  readonly problems: readonly string[];
}

/** The nodes a resolved fault takes down at once (those the blast radius weighs). */
async function nodesTakenDown(step: Step, nodes: NemesisTarget, specNodes: readonly string[]): Promise<string[][]> {
  switch (step.fault) {
    case "kill-node":
    case "stop-node":
    case "pause-node":
      return [[...specNodes]];
    case "kill-stream-leader":
    case "isolate-stream-leader":
      return [[(await findStreamLeader(nodes, step.stream ?? "")).name]];
    case "isolate-meta-leader":
      return [[(await findMetaLeader(nodes)).name]];
    case "rolling-restart":
      return nodes.nodes.map((node) => [node.name]);
    case "full-restart":
      return [nodes.nodes.map((node) => node.name)];
    default:
      return [];
  }
}

/** The replicas a resolved replica fault takes down, by service, with how many replicas each service has. */
interface ReplicasHit {
  readonly area: "services" | "gateways";
  readonly service: string;
  readonly replicas: string[];
  readonly total: number;
}

function replicasHit(specs: readonly FaultSpec[], nemesis: NemesisTarget): ReplicasHit[] {
  const hits = new Map<string, ReplicasHit>();
  for (const spec of specs) {
    if ((spec.kind !== "kill-service-replica" && spec.kind !== "kill-gateway-replica") || spec.replica === undefined) continue;
    const area = spec.kind === "kill-service-replica" ? "services" : "gateways";
    const all = nemesis[area] ?? [];
    const replica = all.find((candidate) => candidate.name === spec.replica);
    const service = replica ? replicaServiceOf(area, replica) : spec.replica;
    const hit: ReplicasHit = hits.get(service) ?? {
      area,
      service,
      replicas: [],
      total: all.filter((candidate) => replicaServiceOf(area, candidate) === service).length,
    };
    hit.replicas.push(spec.replica);
    hits.set(service, hit);
  }
  return [...hits.values()];
}

/**
 * What `gameday run` would do, resolved against the live system now: each probe's reading,
 * each fault's targets and whether the blast radius lets it through. Reads only: no fault, no
 * load, no command other than the process probes' own.
 */
export async function planGameDay(options: {
  readonly gameDay: GameDay;
  readonly target: Target;
  readonly opened: GameDayTarget;
  readonly seed: number;
  readonly durationScale: number;
}): Promise<GameDayPlan> {
  const { gameDay, target, opened, seed, durationScale } = options;
  const lines: string[] = [];
  const problems: string[] = [];
  const nc = await connect(natsConnectionOptions(target.nats, { name: "gauntlet-gameday-plan" })).catch(() => undefined);
  const probeContext: ProbeContext = {
    target,
    nats: () => (nc ? Promise.resolve(nc) : Promise.reject(new Error("cannot connect to NATS"))),
    cluster: clusterExpectationsOf(target, await manifestOf(target).catch(() => undefined)),
    services: opened.services,
    loads: new Map(),
    nodeName: nodeNamer(opened),
    nlbTargets: () => opened.nlbTargets(),
    fetch: fetchTrusting(target.gateway?.tls?.ca),
    signal: new AbortController().signal,
  };
  try {
    lines.push(`${gameDay.title}${gameDay.owner ? ` (owner ${gameDay.owner})` : ""} against ${target.name} (${opened.kind})`);
    if (gameDay.description) lines.push(`  ${gameDay.description.trim()}`);
    lines.push(`  max duration ${(gameDay.max_duration * durationScale) / 1000} s; blast radius: ${blastRadiusText(gameDay.blast_radius)}`);
    lines.push("", `Steady state (checked before, every ${gameDay.steady_state.period / 1000} s during, and after):`);
    let notHolding = 0;
    for (const probe of gameDay.steady_state.probes) {
      const result = await readProbe(probe, probeContext);
      if (!result.ok) notHolding++;
      lines.push(`  ${result.ok ? "✔ holds now" : "✖ does NOT hold now"}  ${probeName(probe)} — ${toleranceOf(probe)}: ${result.detail}`);
    }
    lines.push("", "Method:");
    const nemesis = opened.nemesis;
    const guard = nemesis ? gameDayGuard(gameDay, target, nemesis) : undefined;
    const random = mulberry32(seed);
    /** Replicas a fault without a duration leaves down until a heal step, by service. */
    const replicasKeptDown: string[] = [];
    const liveInstances = (service: string) =>
      nc ? countServiceInstances(nc, service, 1_000).catch(() => undefined) : Promise.resolve(undefined);
    for (const [index, step] of gameDay.method.entries()) {
      const number = `  ${index + 1}.`;
      if (step.fault === undefined) {
        lines.push(`${number} ${describeStep(step, durationScale)}`);
        if (step.heal) {
          for (const name of [...(guard?.down ?? [])]) guard?.nodeUp(name);
          for (const service of replicasKeptDown.splice(0)) guard?.replicaUp(service);
        }
        continue;
      }
      if (!nemesis || !guard) {
        problems.push(`method[${index}]: ${opened.unfaultable ?? "the target cannot be faulted"}`);
        lines.push(`${number} ${step.fault}: cannot be injected — ${opened.unfaultable}`);
        continue;
      }
      try {
        const resolved = await resolveFault(step, nemesis, random);
        const held =
          step.duration === undefined
            ? "until a heal step or the end of the method"
            : `for ${(step.duration * durationScale) / 1000} s, then healed`;
        lines.push(`${number} ${resolved.description} — ${held}`);
        const specNodes = resolved.specs.flatMap((spec) => ("node" in spec && spec.node ? [spec.node] : []));
        for (const group of await nodesTakenDown(step, nemesis, specNodes)) await guard.requireNodesDown(group);
        if (step.duration === undefined) for (const name of specNodes) guard.nodeDown(name);
        for (const hit of replicasHit(resolved.specs, nemesis)) {
          const live = hit.area === "services" ? await liveInstances(hit.service) : undefined;
          const alreadyDown = live === undefined ? 0 : Math.max(0, hit.total - live);
          lines.push(
            `       ${hit.service}: ${hit.replicas.join(", ")} — ${hit.replicas.length} of ${hit.total} replicas${live === undefined ? "" : ` (${live} answering now)`}`,
          );
          for (const replica of hit.replicas) {
            guard.requireReplicaDown(hit.service, replica, hit.total, alreadyDown);
            guard.replicaDown(hit.service);
          }
          for (const _ of hit.replicas) {
            if (step.duration === undefined) replicasKeptDown.push(hit.service);
            else guard.replicaUp(hit.service);
          }
        }
        lines.push("       blast radius: allowed");
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        problems.push(`method[${index}] (${step.fault}): ${message}`);
        lines.push(`       ✖ ${message}`);
      }
    }
    if (gameDay.rollbacks.length > 0) {
      lines.push("", "Rollbacks (after the method or on abort; every fault is healed first):");
      for (const [index, step] of gameDay.rollbacks.entries()) lines.push(`  ${index + 1}. ${describeStep(step, durationScale)}`);
    }
    if (gameDay.stop_conditions.length > 0) {
      lines.push("", "Stop conditions (abort at once):");
      for (const condition of gameDay.stop_conditions) {
        if ("alarm" in condition) {
          const firing = await opened.alarmsFiring([condition.alarm]).catch(() => []);
          if (opened.kind !== "aws") problems.push(`stop_conditions: alarm ${condition.alarm} needs an aws target`);
          lines.push(
            `  alarm ${condition.alarm}: ${opened.kind !== "aws" ? "needs an aws target" : firing.length > 0 ? "IN ALARM now" : "OK now"}`,
          );
        } else {
          const result = await readProbe(condition.probe, probeContext);
          lines.push(`  ${probeName(condition.probe)}: ${result.ok ? "holds now (no stop)" : "would STOP now"} — ${result.detail}`);
        }
      }
    }
    lines.push(
      "",
      `${notHolding === 0 ? "Every steady-state probe holds now." : `${notHolding} steady-state probe(s) do not hold now: the run would stop before the method.`} Nothing was changed.`,
    );
    return { lines, notHolding, problems };
  } finally {
    await nc?.close().catch(() => {});
  }
}

function blastRadiusText(radius: GameDay["blast_radius"]): string {
  return [
    radius.allow_quorum_loss ? "quorum loss allowed" : "no stream may lose quorum",
    radius.allow_service_outage ? "service outages allowed" : "no service more than half its replicas",
  ].join(", ");
}

function describeStep(step: Step, durationScale: number): string {
  if (step.name) return step.name;
  if (step.pause !== undefined) return `pause ${(step.pause * durationScale) / 1000} s`;
  if (step.probe) return `probe ${probeName(step.probe)} — ${toleranceOf(step.probe)}`;
  if (step.load) {
    if (!("start" in step.load)) return `stop load ${step.load.stop}`;
    const { start, scenario, rate, vus, duration, env } = step.load;
    const shape = [
      rate === undefined ? "the scenario's rate" : `${rate}/s`,
      ...(vus === undefined ? [] : [`${vus} VUs`]),
      duration === undefined ? "until stopped" : `for ${(duration * durationScale) / 1000} s`,
      ...Object.entries(env).map(([key, value]) => `env ${key}=${value}`),
    ].join(", ");
    return `start load ${start}: scenario ${scenario ?? start} (suites/load), ${shape}`;
  }
  if (step.manual !== undefined) return `manual: "${step.manual}" (waits for the operator; --yes goes on)`;
  if (step.heal) return "heal every fault in effect";
  return String(step.fault);
}
