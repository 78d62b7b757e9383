import { writeFileSync } from "node:fs";
import { stringify } from "yaml";

export interface TargetDescription {
  readonly name: string;
  readonly servers: readonly string[];
  readonly monitoring: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly gatewayUrls?: readonly string[];
  readonly manifest?: string;
  readonly maxPayload: number;
}

/** Writes a target file that `--target` reads back: the running stack, described as any external system. */
export function writeTargetFile(file: string, target: TargetDescription): void {
  const document = {
    name: target.name,
    nats: {
      servers: target.servers,
      monitoring: target.monitoring,
      ...(target.user ? { user: target.user, pass: target.pass } : {}),
    },
    ...(target.gatewayUrls?.length ? { gateway: { urls: target.gatewayUrls } } : {}),
    ...(target.manifest ? { manifest: target.manifest } : {}),
    expect: { nodes: target.monitoring.length, max_payload: `${target.maxPayload / (1024 * 1024)}MB` },
  };
  writeFileSync(file, `# Written by gauntlet up; use with --target.\n${stringify(document)}`);
}
