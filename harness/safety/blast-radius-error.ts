import { GauntletError } from "../../lib/errors/index.ts";

/** A fault refused because it would take more down than the blast radius allows. */
export class BlastRadiusError extends GauntletError {
  override name = "BlastRadiusError";

  /** `lever`: the setting that would permit it. */
  static refused(detail: string, lever = "allow_quorum_loss"): BlastRadiusError {
    return new BlastRadiusError(`blast radius: ${detail}; refused before acting (${lever}: true to permit)`, { exitCode: 1 });
  }
}
