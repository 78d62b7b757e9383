import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ConnectionOptions } from "@nats-io/transport-node";
import { type ClientProfile, type NatsAccess, natsConnectionOptions } from "../../lib/nats-options/index.ts";
import type { Target } from "../config/index.ts";
import { ControlClient, ControlError } from "../control/index.ts";
import type { NemesisTarget, ReplicaTarget } from "../nemesis/index.ts";
import type { DiscoveredSystem } from "../providers/aws/index.ts";

/** Where an aws run's journal and abort cause go in the run dir. */
export const AWS_JOURNAL_FILE = "aws-journal.jsonl";
export const AWS_ABORT_FILE = "aws-abort.txt";

/** Everything an experiment acts on: where its clients connect, and what the nemesis can fault. */
export interface ExperimentTarget {
  readonly name: string;
  readonly servers: readonly string[];
  readonly monitoringUrls: readonly string[];
  /** Credentials and TLS for the workloads' NATS connections (admin rights: they create streams). */
  readonly access: NatsAccess;
  readonly gatewayUrls: readonly string[];
  /** A CA (PEM file) to trust for https gateway URLs, besides the system's. */
  readonly gatewayCa?: string | undefined;
  /** Instances each service must answer `$SRV.PING` with (the reconnection probe); empty = no service probe. */
  readonly expectedInstances: Readonly<Record<string, number>>;
  /** Undefined when nothing can be faulted (a system someone else runs): `unfaultable` says why. */
  readonly nemesis: NemesisTarget | undefined;
  readonly unfaultable?: string;
  /** How the target's partitions are made (`kernel`, `proxy`…), when it can make them. */
  readonly networkKind?: string | undefined;
  /** The control API the nemesis acts through, for a stack a harness runs (its dead-man lease is set here). */
  readonly control?: ControlClient | undefined;
}

/** A workload's connection options: the target's, with its servers tried in the order given. */
export function clientOptions(
  target: Pick<ExperimentTarget, "access">,
  profile: ClientProfile,
  servers: readonly string[],
  name: string,
): ConnectionOptions {
  return { ...natsConnectionOptions(target.access, { name, profile, servers }), noRandomize: true };
}

/** Where an experiment reaches the system, whoever faults it. */
function addressesOf(target: Target) {
  return {
    name: target.name,
    servers: target.nats.servers,
    monitoringUrls: target.nats.monitoring,
    access: target.nats,
    gatewayUrls: target.gateway?.urls ?? [],
    gatewayCa: target.gateway?.tls?.ca,
  };
}

/**
 * An experiment target from a target file. With `control` (a stack the harness runs) the nemesis
 * acts through the control API: nodes, the network when the stack has network faults, service
 * and gateway replicas. Without it nothing can be faulted and experiments say so.
 */
export async function experimentTarget(target: Target): Promise<ExperimentTarget> {
  if (target.aws) return awsExperimentTarget(target);
  const base = addressesOf(target);
  if (!target.control) {
    return {
      ...base,
      expectedInstances: {},
      nemesis: undefined,
      unfaultable: `${target.file}: no control API (control: {url, token}): Gauntlet cannot inject faults into a system it does not run`,
    };
  }
  const control = new ControlClient(target.control.url, target.control.token);
  const description = await control.describe();
  const replica = (area: "services" | "gateways", name: string, service?: string): ReplicaTarget => ({
    name,
    ...(service ? { service } : {}),
    kill: async () => {
      await control.replica(area, name, "kill");
    },
    stop: async () => {
      await control.replica(area, name, "stop");
    },
    start: async () => {
      await control.replica(area, name, "start");
    },
  });
  const expectedInstances: Record<string, number> = {};
  for (const service of description.services) expectedInstances[service.service] = (expectedInstances[service.service] ?? 0) + 1;
  let nodes = await control.nodes();
  const system = target.nats.system;
  const nemesis: NemesisTarget = {
    get nodes() {
      return nodes;
    },
    get monitoringUrls() {
      return nodes.map((node) => node.monitoringUrl);
    },
    network: description.network ? control.network() : undefined,
    services: description.services.map((service) => replica("services", service.name, service.service)),
    gateways: description.gateways.map((gateway) => replica("gateways", gateway.name)),
    ...(system ? { systemAccount: { servers: target.nats.servers, tls: target.nats.tls, ...system } } : {}),
    ...(description.replaceNodes
      ? {
          replaceNode: async (name: string) => {
            const index = nodes.findIndex((node) => node.name === name);
            await control.replaceNode(name);
            nodes = await control.nodes();
            const replacement = nodes[index];
            if (!replacement) throw new ControlError(`control: node ${name} was replaced, but nothing stands in its place`);
            return replacement;
          },
        }
      : {}),
  };
  return {
    ...base,
    expectedInstances,
    control,
    ...(description.network && description.networkKind ? { networkKind: description.networkKind } : {}),
    nemesis,
  };
}

/**
 * An experiment target whose faults go through AWS (EC2, SSM, ECS): mutating calls only when the
 * CLI got --execute (GAUNTLET_AWS_EXECUTE=1), every call journaled into the run dir, the stop
 * alarms watched while the experiment runs (an alarm heals at once and leaves its cause there).
 */
async function awsExperimentTarget(target: Target): Promise<ExperimentTarget> {
  const base = { ...addressesOf(target), expectedInstances: {} };
  if (process.env.GAUNTLET_AWS_EXECUTE !== "1")
    return {
      ...base,
      nemesis: undefined,
      unfaultable: `${target.file}: an aws target is faulted only with --execute (without it, 'gauntlet chaos' prints the plan)`,
    };
  const { AwsFaults, Journal, openAwsTarget } = await import("../providers/aws/index.ts");
  const { readTargetFile } = await import("../config/index.ts");
  const runDir = process.env.GAUNTLET_RUN_DIR;
  const journal = new Journal(runDir ? join(runDir, AWS_JOURNAL_FILE) : undefined);
  const aws = await openAwsTarget(target.file, await readTargetFile(target.file), { execute: true, journal });
  const { readStreamPlacement } = await import("../safety/index.ts");
  const faults: InstanceType<typeof AwsFaults> = new AwsFaults(aws, {
    placement: () => readStreamPlacement(target.nats, faults.nodes),
    onAbort: (reason) => {
      if (runDir) writeFileSync(join(runDir, AWS_ABORT_FILE), `${reason}\n`);
    },
  });
  faults.watchAlarms();
  return { ...base, expectedInstances: await expectedTasks(target, aws.system), nemesis: faults };
}

/** Each ECS service the manifest names answers `$SRV.PING` with one instance per desired task (without a manifest: unknown, none). */
async function expectedTasks(target: Target, system: DiscoveredSystem): Promise<Record<string, number>> {
  if (!target.manifest || !system.ecs) return {};
  const { loadManifest } = await import("../../services/manifest/index.ts");
  const manifest = await loadManifest(target.manifest);
  const names = new Set(manifest.services.map((service) => service.name));
  return Object.fromEntries(
    system.ecs.services.filter((service) => names.has(service.name)).map((service) => [service.name, service.desired]),
  );
}

/** An experiment target for a stack started in this process (a `StartedLocalCluster` is a `NemesisTarget` as it is). */
export function localExperimentTarget(
  nemesis: NemesisTarget & { readonly clientUrls: readonly string[] },
  extra: {
    readonly name?: string;
    readonly access?: Omit<NatsAccess, "servers">;
    readonly gatewayUrls?: readonly string[];
    readonly expectedInstances?: Readonly<Record<string, number>>;
  } = {},
): ExperimentTarget {
  return {
    name: extra.name ?? "local cluster",
    servers: nemesis.clientUrls,
    monitoringUrls: nemesis.monitoringUrls,
    access: { ...extra.access, servers: nemesis.clientUrls },
    gatewayUrls: extra.gatewayUrls ?? [],
    expectedInstances: extra.expectedInstances ?? {},
    nemesis,
  };
}
