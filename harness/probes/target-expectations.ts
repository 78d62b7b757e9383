import { DEFAULT_MANIFEST, durableStreams, loadManifest, type Manifest } from "../../services/manifest/index.ts";
import type { Target } from "../config/index.ts";
import type { ClusterExpectations } from "./cluster-assessment.ts";

/** The fleet a target runs: its manifest, or the reference fleet's when it has gateways and names none. */
export async function manifestOf(target: Target): Promise<Manifest | undefined> {
  return target.gateway || target.manifest ? loadManifest(target.manifest ?? DEFAULT_MANIFEST) : undefined;
}

/** What the doctor checks the cluster against: the target's `expect` and the streams its manifest marks durable. */
export function clusterExpectationsOf(target: Target, manifest: Manifest | undefined): ClusterExpectations {
  const { expect } = target;
  return {
    nodes: expect.nodes,
    ...(expect.maxPayload !== undefined ? { maxPayload: expect.maxPayload } : {}),
    ...(expect.tls !== undefined ? { tls: expect.tls } : {}),
    ...(expect.sync !== undefined ? { sync: expect.sync } : {}),
    ...(expect.minReplicas !== undefined ? { minReplicas: expect.minReplicas } : {}),
    ...(manifest ? { durableStreams: durableStreams(manifest) } : {}),
  };
}
