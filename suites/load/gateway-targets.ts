import type { LoadTarget } from "../../harness/load/index.ts";
import { DEFAULT_MANIFEST, loadManifest } from "../../services/manifest/index.ts";

export interface GatewayCall {
  service: string;
  endpoint: string;
  samples: unknown[];
  weight: number;
}

/** The gateway URLs of a target; gateway scenarios cannot run without them. */
export function gatewayUrls(target: LoadTarget): string[] {
  const urls = target.gateway?.urls ?? [];
  if (urls.length === 0) throw new Error("target has no gateway.urls: gateway scenarios need the gateway's base URLs");
  return urls.map((url) => url.replace(/\/+$/, ""));
}

/**
 * Every endpoint of the manifest (the target's, else the reference fleet's) with its samples.
 * The manifest has no traffic weights, so a service's share follows its replica count, split
 * evenly over its endpoints; `weights` (service → weight) overrides it.
 */
export async function gatewayCalls(target: LoadTarget, weights: Record<string, number> = {}): Promise<GatewayCall[]> {
  const manifest = await loadManifest(target.manifest ?? DEFAULT_MANIFEST);
  return manifest.services.flatMap((service) =>
    service.endpoints
      .filter((endpoint) => endpoint.samples.length > 0)
      .map((endpoint) => ({
        service: service.name,
        endpoint: endpoint.name,
        samples: endpoint.samples,
        weight: (weights[service.name] ?? service.replicas) / service.endpoints.length,
      })),
  );
}

/** Picks by weight with one uniform draw. */
export function pickWeighted<T extends { weight: number }>(items: readonly T[], draw = Math.random()): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let left = draw * total;
  for (const item of items) {
    left -= item.weight;
    if (left < 0) return item;
  }
  return items[items.length - 1] as T;
}
