import type { ManifestEndpoint, ManifestService, ManifestStream, Manifest as ServicesManifest } from "../services/manifest/index.ts";

/**
 * The part of a `services/manifest` Manifest the gateway reads. A full loaded manifest
 * satisfies it; tests can hand over just these fields.
 */
export interface GatewayManifest {
  file: ServicesManifest["file"];
  services: GatewayService[];
}

export interface GatewayService extends Pick<ManifestService, "name"> {
  endpoints: Pick<ManifestEndpoint, "name" | "subject" | "timeoutMs">[];
  streams: Pick<ManifestStream, "name" | "subjects">[];
}
