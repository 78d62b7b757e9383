import { GauntletError } from "../../../../lib/errors/index.ts";

export class NetworkError extends GauntletError {
  override name = "NetworkError";

  static unknownNode(name: string, known: readonly string[]): NetworkError {
    return new NetworkError(`partition: unknown node "${name}" (nodes: ${known.join(", ")})`);
  }

  static duplicateNode(name: string): NetworkError {
    return new NetworkError(`partition: node "${name}" is in more than one group`);
  }

  static closed(): NetworkError {
    return new NetworkError("network is closed: the cluster was stopped");
  }

  static commandFailed(command: readonly string[], detail: string, cause?: unknown): NetworkError {
    return new NetworkError(`kernel network: \`${command.join(" ")}\` failed: ${detail.trim() || "no output"}`, { cause });
  }

  static noFreeSubnet(prefix: string): NetworkError {
    return new NetworkError(`kernel network: every /24 of ${prefix}.0.0/16 is in use on this machine or by another stack`);
  }

  static unavailable(reason: string): NetworkError {
    return new NetworkError(`kernel network unavailable: ${reason} (use --network proxy)`);
  }
}
