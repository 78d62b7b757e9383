import { writeFileSync } from "node:fs";
import { stringify } from "yaml";

export interface TargetDescription {
  readonly name: string;
  readonly servers: readonly string[];
  readonly monitoring: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  readonly gatewayUrls?: readonly string[];
  /** The NATS user the gateways connect as, so suites can verify its permissions. */
  readonly gatewayUser?: { readonly user: string; readonly pass: string };
  readonly control?: { readonly url: string; readonly token: string };
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
    ...(target.gatewayUrls?.length
      ? {
          gateway: {
            urls: target.gatewayUrls,
            ...(target.gatewayUser ? { nats_user: target.gatewayUser.user, nats_pass: target.gatewayUser.pass } : {}),
          },
        }
      : {}),
    ...(target.control ? { control: target.control } : {}),
    ...(target.manifest ? { manifest: target.manifest } : {}),
    expect: { nodes: target.monitoring.length, max_payload: `${target.maxPayload / (1024 * 1024)}MB` },
  };
  writeFileSync(file, `# Written by gauntlet up; use with --target.\n${stringify(document)}`);
}
