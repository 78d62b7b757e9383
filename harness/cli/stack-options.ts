import { resolve } from "node:path";
import { GauntletError } from "../../lib/errors/index.ts";
import type { NetworkChoice } from "../providers/local/index.ts";
import { DEFAULT_MANIFEST, type FleetChoice } from "../stack/index.ts";
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
  "disk-faults": { type: "boolean" },
} satisfies Command["options"];

export const stackOptionUsage = `  --nodes N            NATS cluster size (default 5, as in production)
  --manifest FILE      service manifest (default services/manifest.yaml)
  --fleet-mode MODE    process (one process per replica, default) or cohosted (one process)
  --gateways N         gateway replicas (default 2)
  --cluster-only       only the NATS cluster: no services, no gateways
  --network KIND       how nodes are linked, so partitions can be injected: kernel (a network
                       namespace per node, iptables DROP; needs root and iptables), proxy (TCP
                       proxies on loopback), auto (kernel where it works, else proxy, and says
                       so), none (loopback, no partitions)
  --network-faults     the same as --network auto
  --tls                TLS everywhere with a CA made for this run: NATS clients and routes
                       (client certificates verified), HTTPS gateways
  --sync-always        JetStream fsyncs every write before acknowledging it (sync_interval:
                       always; the default fsyncs every 2 minutes)
  --disk-faults        each node's JetStream store on a 256 MiB tmpfs of its own, so disk-full
                       can fill one (needs root; chaos and run do it when they run disk-full)`;

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
