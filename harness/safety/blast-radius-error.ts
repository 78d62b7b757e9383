import { GauntletError } from "../../lib/errors/index.ts";

/** A fault refused because it would take more down than the blast radius allows. */
export class BlastRadiusError extends GauntletError {
  override name = "BlastRadiusError";

  static refused(detail: string): BlastRadiusError {
    return new BlastRadiusError(`blast radius: ${detail}; refused before acting (allow_quorum_loss: true to permit)`, { exitCode: 1 });
  }
}
