import { type Target, type TargetFile, toTarget } from "../../config/index.ts";
import { AwsClients } from "./aws-clients.ts";
import { AwsError } from "./aws-error.ts";
import { type DiscoveredSystem, discoverSystem } from "./discovery.ts";
import type { Journal } from "./journal.ts";
import { type Resolution, resolveAddresses } from "./resolve-addresses.ts";

/** An `aws` target after discovery: its plain target, what was found, and the clients to act through. */
export interface AwsTarget extends Disposable {
  readonly target: Target;
  readonly system: DiscoveredSystem;
  readonly resolution: Resolution;
  readonly clients: AwsClients;
  readonly discoveryMs: number;
}

export async function openAwsTarget(
  file: string,
  raw: TargetFile,
  options: { readonly execute?: boolean; readonly journal?: Journal } = {},
): Promise<AwsTarget> {
  const section = raw.aws;
  if (!section) throw new AwsError(`${file}: no aws section: its addresses are given, nothing to discover`);
  const clients = new AwsClients({ region: section.region, endpoint: section.endpoint, ...options });
  try {
    const started = performance.now();
    const system = await discoverSystem(clients, section, file);
    const discoveryMs = performance.now() - started;
    const resolution = resolveAddresses(system, section, clients.loopbackOnly);
    return { target: toTarget(file, raw, resolution), system, resolution, clients, discoveryMs, [Symbol.dispose]: () => clients.destroy() };
  } catch (error) {
    clients.destroy();
    throw error;
  }
}
