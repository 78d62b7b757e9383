/** Base of Gauntlet's typed errors; `exitCode` tells the CLI how the run ends. */
export class GauntletError extends Error {
  override name = "GauntletError";
  readonly exitCode: number;

  constructor(message: string, options: { cause?: unknown; exitCode?: number } = {}) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? 2;
  }
}
