import type { NatsConnection } from "@nats-io/nats-core";
import type { Target } from "../../config/index.ts";
import type { Fetch } from "../../net/trusted-fetch.ts";
import type { ClusterExpectations } from "../../probes/index.ts";
import type { BackgroundLoad } from "../background-load.ts";

/** What a probe reads the system through. */
export interface ProbeContext {
  readonly target: Target;
  /** One shared NATS connection for the run (admin rights: stream and consumer info). */
  readonly nats: () => Promise<NatsConnection>;
  readonly cluster: ClusterExpectations;
  /** Instances per service the target runs (from its control API), for `srv: "*"`. */
  readonly services: Readonly<Record<string, number>>;
  readonly loads: ReadonlyMap<string, BackgroundLoad>;
  /** A node's name by its monitoring URL (the URL's host when the target does not name its nodes). */
  readonly nodeName: (monitoringUrl: string) => string;
  /** Monitoring URLs of the nodes registered in the load balancer's target groups now; undefined without one (aws targets have it). */
  readonly nlbTargets: () => Promise<ReadonlySet<string> | undefined>;
  readonly fetch: Fetch;
  readonly signal: AbortSignal;
}

/** A probe's answer now: its value, whether it meets the tolerance, and in words why. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly value: number | string | boolean | null;
  readonly detail: string;
}

export const held = (value: ProbeResult["value"], detail: string): ProbeResult => ({ ok: true, value, detail });
export const deviated = (value: ProbeResult["value"], detail: string): ProbeResult => ({ ok: false, value, detail });
