import { fileURLToPath } from "node:url";

export { durableStreams } from "./durable-streams.ts";
export { loadManifest, parseManifest } from "./load.ts";
export { ManifestError } from "./manifest-error.ts";
export type {
  LatencyProfile,
  Manifest,
  ManifestEndpoint,
  ManifestKv,
  ManifestService,
  ManifestStream,
  ServiceBehaviour,
  ServiceProfile,
} from "./types.ts";
export { SERVICE_BEHAVIOURS } from "./types.ts";

/** Absolute path of the reference fleet's manifest. */
export const DEFAULT_MANIFEST: string = fileURLToPath(new URL("../manifest.yaml", import.meta.url));
