import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { gatewayPermissions } from "../../gateway/index.ts";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";
import type { Manifest } from "../../services/manifest/index.ts";
import { fleetPermissions, provisionJetStream } from "../../services/runtime/index.ts";
import { writeTargetFile } from "../config/index.ts";
import { type ControlledStack, ControlServer } from "../control/index.ts";
import type { NodeHandle } from "../providers/index.ts";
import { registerStack } from "../providers/local/index.ts";
import type { RunCertificates } from "../tls/index.ts";
import type { TaskList } from "../ui/index.ts";

// What every provider's stack does the same way: its NATS users and their permissions, and the
// streams and buckets it provisions before the fleet starts.

export const MAX_PAYLOAD = 4 * 1024 * 1024;

export interface Credentials {
  readonly user: string;
  readonly pass: string;
}

export interface StackUsers {
  readonly admin: Credentials;
  readonly gateway: Credentials;
  readonly service: Credentials;
}

export const randomSecret = (): string => randomBytes(12).toString("base64url");

export const newUsers = (secret: () => string): StackUsers => ({
  admin: { user: "admin", pass: secret() },
  gateway: { user: "gateway", pass: secret() },
  service: { user: "service", pass: secret() },
});

/** Least privilege for the gateway and the services; the admin (suites, probes) may do anything. */
export function authorization(users: StackUsers, manifest: Manifest): Record<string, unknown> {
  return {
    authorization: {
      users: [
        { user: users.admin.user, password: users.admin.pass },
        { user: users.gateway.user, password: users.gateway.pass, permissions: gatewayPermissions(manifest) },
        { user: users.service.user, password: users.service.pass, permissions: { ...fleetPermissions(manifest), allow_responses: true } },
      ],
    },
  };
}

/** Streams and buckets cannot have more replicas than the cluster has nodes. */
export function fitReplicas(manifest: Manifest, nodes: number): Manifest {
  return {
    ...manifest,
    services: manifest.services.map((service) => ({
      ...service,
      streams: service.streams.map((stream) => ({ ...stream, replicas: Math.min(stream.replicas, nodes) })),
      kv: service.kv.map((kv) => ({ ...kv, replicas: Math.min(kv.replicas, nodes) })),
    })),
  };
}

/** The manifest's streams and KV buckets, made through an admin connection before the fleet starts. */
export async function provisionStreams(options: {
  servers: readonly string[];
  admin: Credentials;
  tls: { ca: string; cert: string; key: string } | undefined;
  manifest: Manifest;
  progress: TaskList;
}): Promise<void> {
  const { manifest, progress } = options;
  const admin = await connect(
    natsConnectionOptions(
      { servers: [...options.servers], ...options.admin, tls: options.tls },
      { name: "gauntlet-provision", profile: "defaults" },
    ),
  );
  try {
    const streams = manifest.services.reduce((count, service) => count + service.streams.length + service.kv.length, 0);
    await progress.run(`JetStream: ${streams} streams and KV buckets`, () => provisionJetStream(admin, manifest));
  } finally {
    await admin.close();
  }
}

/** A started cluster as its control API and target file describe it, whichever provider runs it. */
export interface PublishedCluster extends Pick<ControlledStack, "nodes" | "network" | "networkKind"> {
  readonly id: string;
  readonly dir: string;
  readonly clientUrls: readonly string[];
  readonly monitoringUrls: readonly string[];
  readonly tls: RunCertificates | undefined;
  replaceNode(name: string): Promise<NodeHandle>;
}

export interface PublishedStack {
  readonly control: ControlServer;
  readonly targetFile: string;
}

/**
 * What makes a started stack usable from outside, the same for every provider: the control API over
 * its nodes and replicas, its target file (`target.yaml` in the run dir) and its entry in the
 * registry `gauntlet down` reads.
 */
export async function publishStack(
  name: string,
  cluster: PublishedCluster,
  replicas: Pick<ControlledStack, "services" | "gateways">,
  access: { users?: StackUsers | undefined; systemUser?: Credentials | undefined; manifest?: string | undefined },
): Promise<PublishedStack> {
  const control = await ControlServer.start({
    get nodes() {
      return cluster.nodes;
    },
    replaceNode: (node) => cluster.replaceNode(node),
    network: cluster.network,
    networkKind: cluster.networkKind,
    ...replicas,
  });
  const targetFile = join(cluster.dir, "target.yaml");
  writeTargetFile(targetFile, {
    name,
    servers: cluster.clientUrls,
    monitoring: cluster.monitoringUrls,
    maxPayload: MAX_PAYLOAD,
    systemUser: access.systemUser,
    control: { url: control.url, token: control.token },
    ...(access.users ? { user: access.users.admin.user, pass: access.users.admin.pass, gatewayUser: access.users.gateway } : {}),
    gatewayUrls: replicas.gateways.map((gateway) => gateway.url),
    ...(access.manifest ? { manifest: access.manifest } : {}),
    ...(cluster.tls ? { tls: cluster.tls } : {}),
  });
  registerStack({ id: cluster.id, pid: process.pid, dir: cluster.dir, targetFile, startedAt: new Date().toISOString() });
  return { control, targetFile };
}
