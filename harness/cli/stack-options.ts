import { resolve } from "node:path";
import { GauntletError } from "../../lib/errors/index.ts";
import { ensureNatsServer, parseNatsVersion } from "../bootstrap/nats-versions.ts";
import type { NetworkChoice } from "../providers/local/index.ts";
import { DEFAULT_MANIFEST, type DockerImages, type FleetChoice, PROVIDERS, type ProviderName } from "../stack/index.ts";
import type { TaskList } from "../ui/index.ts";
import type { Command, ParsedOptions } from "./command.ts";
import { optionalString, parseCount } from "./options.ts";

/** Options shared by every command that starts a local stack (`up`, `run`, …). */
export const stackOptionSpec = {
  nodes: { type: "string" },
  manifest: { type: "string" },
  "fleet-mode": { type: "string" },
  gateways: { type: "string" },
  "cluster-only": { type: "boolean" },
  "network-faults": { type: "boolean" },
  tls: { type: "boolean" },
  network: { type: "string" },
  "sync-always": { type: "boolean" },
  provider: { type: "string" },
  image: { type: "string", multiple: true },
  "disk-faults": { type: "boolean" },
  "nats-version": { type: "string" },
} satisfies Command["options"];

export const stackOptionUsage = `  --nodes N            NATS cluster size (default 5, as in production)
  --manifest FILE      service manifest (default services/manifest.yaml)
  --fleet-mode MODE    process (one process per replica, default) or cohosted (one process)
  --gateways N         gateway replicas (default 2)
  --cluster-only       only the NATS cluster: no services, no gateways
  --network KIND       how nodes are linked, so partitions can be injected: kernel (a network
                       namespace per node, iptables DROP; needs root and iptables), proxy (TCP
                       proxies on loopback), auto (kernel where it works, else proxy, and says
                       so), none (loopback, no partitions); with --provider docker: proxy
                       (routes through proxies here: slow-link), else iptables in the containers
  --network-faults     the same as --network auto
  --tls                TLS everywhere with a CA made for this run: NATS clients and routes
                       (client certificates verified), HTTPS gateways
  --sync-always        JetStream fsyncs every write before acknowledging it (sync_interval:
                       always; the default fsyncs every 2 minutes)
  --disk-faults        each node's JetStream store on a 256 MiB tmpfs of its own, so disk-full
                       can fill one (needs root; chaos and run do it when they run disk-full)
  --nats-version V     the nats-server release every node runs (2.14.9): built with Go (static)
                       the first time, then cached; default the pinned one
  --provider NAME      local (processes on this machine, default) or docker (containers on
                       the Docker engine: images built here offline; partitions by iptables
                       in the containers as root; the fleet co-hosted in one container)
  --image ROLE=IMAGE   with --provider docker, your image instead of the one built here:
                       nats=IMAGE (entrypoint nats-server), service=IMAGE (node at
                       /usr/local/bin/node; runs the services and gateways); repeatable`;

const NETWORKS: readonly NetworkChoice[] = ["kernel", "proxy", "auto", "none"];

/** `--network` (or `--network-faults` = auto), else `fallback`. */
export function networkChoice(options: ParsedOptions, fallback: NetworkChoice): NetworkChoice {
  const wanted = optionalString(options.network);
  if (wanted === undefined) return options["network-faults"] ? "auto" : fallback;
  if (!(NETWORKS as readonly string[]).includes(wanted))
    throw new GauntletError(`--network must be one of ${NETWORKS.join(", ")}, got "${wanted}"`);
  return wanted as NetworkChoice;
}

export function nodesOption(options: ParsedOptions): number {
  return parseCount("--nodes", options.nodes, 5);
}

export function fleetChoice(options: ParsedOptions): FleetChoice | false {
  if (options["cluster-only"]) return false;
  const mode = optionalString(options["fleet-mode"]) ?? "process";
  if (mode !== "process" && mode !== "cohosted") throw new GauntletError(`--fleet-mode must be process or cohosted, got "${mode}"`);
  const manifest = optionalString(options.manifest);
  return { manifest: manifest ? resolve(manifest) : DEFAULT_MANIFEST, mode, gateways: parseCount("--gateways", options.gateways, 2) };
}

const NATS_VERSION_FLAG = "--nats-version";

/** `--nats-version` chooses the release of a local stack: a target runs what it runs. */
export function refuseNatsVersionWithTarget(options: ParsedOptions, target: unknown): void {
  if (target !== undefined && options["nats-version"] !== undefined)
    throw new GauntletError(`${NATS_VERSION_FLAG} starts a local stack of that release: leave out --target (a target runs what it runs)`);
}

/** `--nats-version A[,B…]`: the releases named, in their order, without the `v`; empty when not given. */
export function natsVersionsOption(options: ParsedOptions): string[] {
  const value = optionalString(options["nats-version"]);
  if (value === undefined) return [];
  const listed = value.split(",").map((version) => version.trim());
  if (listed.includes("")) throw new GauntletError(`${NATS_VERSION_FLAG} ${value}: an empty version in the list (A,B)`);
  const versions = listed.map((version) => parseNatsVersion(version, NATS_VERSION_FLAG));
  const twice = versions.find((version, index) => versions.indexOf(version) !== index);
  if (twice) throw new GauntletError(`${NATS_VERSION_FLAG} ${value}: names ${twice} twice`);
  return versions;
}

export interface NatsBuild {
  readonly version: string;
  readonly binary: string;
}

/** Each version's nats-server binary, built first where it is not cached yet (one at a time: a build takes both cores). */
export async function natsBuilds(versions: readonly string[], progress: TaskList, signal: AbortSignal): Promise<NatsBuild[]> {
  const builds: NatsBuild[] = [];
  for (const version of versions)
    builds.push({ version, binary: await ensureNatsServer(version, { label: NATS_VERSION_FLAG, progress, signal }) });
  return builds;
}

/** The nats-server of a single `--nats-version` (`up`, `chaos`), or undefined without the option. */
export async function natsServerOption(
  options: ParsedOptions,
  command: string,
  progress: TaskList,
  signal: AbortSignal,
): Promise<NatsBuild | undefined> {
  const versions = natsVersionsOption(options);
  if (versions.length > 1)
    throw new GauntletError(
      `${NATS_VERSION_FLAG} ${versions.join(",")}: ${command} runs one version; a list is for 'gauntlet run' (the version matrix)`,
    );
  const [build] = await natsBuilds(versions, progress, signal);
  return build;
}

export function providerChoice(options: ParsedOptions): ProviderName {
  const wanted = optionalString(options.provider) ?? "local";
  if (!(PROVIDERS as readonly string[]).includes(wanted))
    throw new GauntletError(`--provider must be one of ${PROVIDERS.join(", ")}, got "${wanted}"`);
  return wanted as ProviderName;
}

const IMAGE_ROLES = ["nats", "service"] as const;

/** `--image nats=… --image service=…` (docker provider only). */
export function imageChoice(options: ParsedOptions, provider: ProviderName): DockerImages {
  const given = options.image === undefined ? [] : Array.isArray(options.image) ? options.image : [options.image];
  if (given.length > 0 && provider !== "docker") throw new GauntletError("--image needs --provider docker");
  const images: Record<string, string> = {};
  for (const entry of given) {
    const [role, image] = String(entry).split(/=(.*)/s) as [string, string | undefined];
    if (!(IMAGE_ROLES as readonly string[]).includes(role) || !image)
      throw new GauntletError(`--image must be ROLE=IMAGE with ROLE one of ${IMAGE_ROLES.join(", ")}, got "${entry}"`);
    images[role] = image;
  }
  return images;
}

/** `--provider` and `--image` together, as `startStack` takes them. */
export function providerOptions(options: ParsedOptions): { provider: ProviderName; images: DockerImages } {
  const provider = providerChoice(options);
  return { provider, images: imageChoice(options, provider) };
}
