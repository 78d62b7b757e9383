import { connect } from "@nats-io/transport-node";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";
import { waitUntil } from "../../lib/retry/index.ts";
import type { Target } from "../config/index.ts";
import { fetchTrusting } from "../net/trusted-fetch.ts";
import { checkSystemHealth, clusterExpectationsOf, manifestOf, type SystemExpectations, type SystemHealth } from "../probes/index.ts";
import type { HealthCheckpoint } from "../record/index.ts";

export interface HealthGateOptions {
  readonly signal: AbortSignal;
  /** Progress and findings, one line each. */
  readonly log: (line: string) => void;
  /** How long an unhealthy system gets to come back by itself before the gate acts. */
  readonly settleMs: number;
  /** Starts the system afresh and returns its new target (a local stack). Without it an unhealthy system is used as it is. */
  readonly restart?: (() => Promise<Target>) | undefined;
}

async function expectationsOf(target: Target): Promise<SystemExpectations> {
  const fleet = await manifestOf(target);
  // Durability is configuration, judged once by the run's preflight: here its checks only warn.
  const recovery = { ...target, expect: { ...target.expect, sync: undefined, minReplicas: undefined } };
  return {
    monitoring: target.nats.monitoring,
    cluster: clusterExpectationsOf(recovery, fleet),
    gatewayUrls: target.gateway?.urls ?? [],
    fetch: fetchTrusting(target.gateway?.tls?.ca),
    services: Object.fromEntries((fleet?.services ?? []).map((service) => [service.name, service.replicas])),
    connect: () => connect({ ...natsConnectionOptions(target.nats, { name: "gauntlet-health" }), maxReconnectAttempts: 0 }),
  };
}

/**
 * Between two suites of a run: is the system as healthy as a suite needs it (the doctor's checks,
 * every gateway ready, every service at its replicas)? If not after `settleMs`, the local stack is
 * started afresh; a system Gauntlet does not run is used as it is and what follows is marked as
 * run on a degraded system. Each such boundary is kept as a checkpoint for the run record.
 */
export class HealthGate {
  #target: Target;
  readonly #options: HealthGateOptions;
  readonly #checkpoints: HealthCheckpoint[] = [];

  constructor(target: Target, options: HealthGateOptions) {
    this.#target = target;
    this.#options = options;
  }

  /** The system under test: a new one after a restart. */
  get target(): Target {
    return this.#target;
  }

  get checkpoints(): readonly HealthCheckpoint[] {
    return this.#checkpoints;
  }

  async between(after: string, before: string): Promise<void> {
    const found = await this.#settle(`after ${after}`);
    if (found.healthy) return;
    const { log, restart } = this.#options;
    log(`! the system is unhealthy after ${after}:`);
    for (const problem of found.problems) log(`    ${problem}`);
    const checkpoint = { after, before, problems: [...found.problems] };
    if (!restart) {
      log(`! ${before} runs on a degraded system (the target is not a stack Gauntlet runs, so it cannot be restarted)`);
      this.#checkpoints.push({ ...checkpoint, action: "degraded", detail: "not restarted: the target is not a stack Gauntlet runs" });
      return;
    }
    log(`  restarting the local stack before ${before}`);
    try {
      this.#target = await restart();
    } catch (error) {
      const detail = `the restart failed: ${(error as Error).message}`;
      log(`! ${before} runs on a degraded system: ${detail}`);
      this.#checkpoints.push({ ...checkpoint, action: "degraded", detail });
      return;
    }
    const again = await this.#settle("after the restart");
    if (again.healthy) {
      this.#checkpoints.push({ ...checkpoint, action: "restarted" });
      return;
    }
    const detail = `still unhealthy after the restart: ${again.problems.join("; ")}`;
    log(`! ${before} runs on a degraded system: ${detail}`);
    this.#checkpoints.push({ ...checkpoint, action: "degraded", detail });
  }

  /** Checks until healthy or `settleMs` passed; the last finding. */
  async #settle(when: string): Promise<SystemHealth> {
    const expectations = await expectationsOf(this.#target);
    let last: SystemHealth | undefined;
    try {
      return await waitUntil(
        async () => {
          const first = last === undefined;
          last = await checkSystemHealth(expectations);
          if (first && !last.healthy)
            this.#options.log(`… health ${when}: ${last.problems[0]}; waiting up to ${this.#options.settleMs / 1000} s for it to recover`);
          return last.healthy ? last : undefined;
        },
        {
          timeoutMs: this.#options.settleMs,
          intervalMs: 1_000,
          signal: this.#options.signal,
          what: "the system to be healthy",
        },
      );
    } catch (error) {
      this.#options.signal.throwIfAborted();
      if (!last) throw error;
      return last;
    }
  }
}

/** One line per checkpoint for the run's reasons: the system a suite left behind is a finding of its own. */
export function healthReasons(checkpoints: readonly HealthCheckpoint[]): string[] {
  return checkpoints.map((checkpoint) => {
    const more = checkpoint.problems.length > 1 ? ` (+${checkpoint.problems.length - 1} more)` : "";
    const then = checkpoint.action === "restarted" ? "the local stack was restarted" : `${checkpoint.before} ran on a degraded system`;
    return `health: unhealthy after ${checkpoint.after}: ${checkpoint.problems[0]}${more}; ${then}`;
  });
}
