import type { Target } from "../../harness/config/index.ts";
import { DEFAULT_MANIFEST, loadManifest, type Manifest } from "../../services/manifest/index.ts";

/** The fleet under test: the target's manifest, else the reference fleet's. */
export function suiteManifest(target: Target): Promise<Manifest> {
  return loadManifest(target.manifest ?? DEFAULT_MANIFEST);
}
