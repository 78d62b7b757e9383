import { setTimeout as sleep } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import type { NatsAccess } from "../../../lib/nats-options/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { JetStreamApiError, jetStreamRequest, withJetStreamApi } from "../jetstream-api.ts";
import { findMetaLeader } from "../leaders.ts";
import { NemesisError } from "../target.ts";
import type { FaultContext, FaultDefinition } from "./fault.ts";

export interface StepDown {
  readonly kind: "step-down";
  /** Whose leader steps down: the JetStream meta group's (as the system account), a stream's or a durable consumer's. */
  readonly leader: "meta" | "stream" | "consumer";
  /** The stream (stream and consumer step-downs). */
  readonly stream?: string;
  /** The durable consumer (consumer step-down). */
  readonly consumer?: string;
  /** Step-downs in a row, each once the previous one has a new leader. Default 3. */
  readonly times?: number;
  /** Pause after each new leader before the next step-down. Default 2 s. */
  readonly pauseMs?: number;
}

/** JetStream's stream not found (10059) and consumer not found (10014): stepping down again cannot help. */
const NOT_FOUND = [10059, 10014];
const notFound = (error: unknown) => error instanceof JetStreamApiError && NOT_FOUND.includes(error.errCode);

interface Group {
  /** What the progress lines and errors call it. */
  readonly label: string;
  readonly stepDownSubject: string;
  readonly access: NatsAccess;
  /** The group's current leader (a server or node name), undefined while it elects. */
  leader(nc: NatsConnection): Promise<string | undefined>;
}

function groupOf(spec: StepDown, context: FaultContext): Group {
  if (spec.leader === "meta") {
    const system = context.target.systemAccount;
    if (!system) throw NemesisError.missing("step-down (meta)", "the NATS system account's user");
    return {
      label: "meta group",
      stepDownSubject: "$JS.API.META.LEADER.STEPDOWN",
      access: system,
      leader: async () => (await findMetaLeader(context.target).catch(() => undefined))?.name,
    };
  }
  const access = context.nats;
  if (!access) throw NemesisError.missing(`step-down (${spec.leader})`, "JetStream access (the nemesis's nats option)");
  if (!spec.stream) throw new NemesisError(`step-down (${spec.leader}): name the stream`);
  const leaderFrom = (subject: string) => async (nc: NatsConnection) => {
    const info = await jetStreamRequest(nc, subject, undefined, { timeoutMs: 5_000, giveUpOn: NOT_FOUND });
    return (info.cluster as { leader?: string } | undefined)?.leader;
  };
  if (spec.leader === "stream")
    return {
      label: `stream ${spec.stream}`,
      stepDownSubject: `$JS.API.STREAM.LEADER.STEPDOWN.${spec.stream}`,
      access,
      leader: leaderFrom(`$JS.API.STREAM.INFO.${spec.stream}`),
    };
  if (!spec.consumer) throw new NemesisError("step-down (consumer): name the durable consumer");
  return {
    label: `consumer ${spec.stream}/${spec.consumer}`,
    stepDownSubject: `$JS.API.CONSUMER.LEADER.STEPDOWN.${spec.stream}.${spec.consumer}`,
    access,
    leader: leaderFrom(`$JS.API.CONSUMER.INFO.${spec.stream}.${spec.consumer}`),
  };
}

/**
 * Leader step-downs through JetStream's API while the workloads run, as an operator's maintenance
 * or nats-server's own rebalancing makes them: the meta group's (system account), a stream's, or
 * a durable consumer's. Each waits for a new leader (a different one) before the next; the window
 * lasts the whole series. Nothing to heal.
 */
export const stepDown: FaultDefinition<StepDown> = {
  kind: "step-down",
  holdsItself: true,
  unsupported(target, spec) {
    return spec.leader === "meta" && !target.systemAccount
      ? "a meta-leader step-down needs the NATS system account's user (a target's nats.system), and the target has none"
      : undefined;
  },
  async inject(spec, context) {
    const group = groupOf(spec, context);
    const times = spec.times ?? 3;
    const hit = {
      leader: spec.leader,
      ...(spec.stream ? { stream: spec.stream } : {}),
      ...(spec.consumer ? { consumer: spec.consumer } : {}),
      times,
    };
    const signal = context.signal;
    await withJetStreamApi(group.access, `step-down-${spec.leader}`, async (nc) => {
      const leaderWait = { timeoutMs: 20_000, intervalMs: 50, retryIf: (error: unknown) => !notFound(error), signal };
      let before = await waitUntil(() => group.leader(nc), { what: `a leader of the ${group.label}`, ...leaderWait });
      context.begin(hit);
      for (let step = 1; step <= times; step++) {
        await jetStreamRequest(nc, group.stepDownSubject, undefined, { signal, giveUpOn: NOT_FOUND });
        const previous = before;
        const after = await waitUntil(
          async () => {
            const leader = await group.leader(nc);
            return leader !== undefined && leader !== previous ? leader : undefined;
          },
          { what: `a new leader of the ${group.label} (was ${previous})`, ...leaderWait },
        );
        context.progress(`step-down ${step}/${times}: ${group.label} leader ${previous} → ${after}`);
        before = after;
        if (step < times) await sleep(spec.pauseMs ?? 2_000, undefined, signal ? { signal } : {});
      }
    });
    return { target: hit, heal: async () => {} };
  },
};
