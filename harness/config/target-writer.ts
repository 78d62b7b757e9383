import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import type { RunCertificates } from "../tls/index.ts";

export interface TargetDescription {
  readonly name: string;
  readonly servers: readonly string[];
  readonly monitoring: readonly string[];
  readonly user?: string;
  readonly pass?: string;
  /** The NATS system account's user (meta-leader step-down, peer-remove). */
  readonly systemUser?: { readonly user: string; readonly pass: string } | undefined;
  readonly gatewayUrls?: readonly string[];
  /** The NATS user the gateways connect as, so suites can verify its permissions. */
  readonly gatewayUser?: { readonly user: string; readonly pass: string };
  readonly control?: { readonly url: string; readonly token: string };
  readonly manifest?: string;
  readonly maxPayload: number;
  /** TLS everywhere: clients present the client certificate and trust the CA, also for the https gateways. */
  readonly tls?: RunCertificates;
}

/** Writes a target file that `--target` reads back: the running stack, described as any external system. */
export function writeTargetFile(file: string, target: TargetDescription): void {
  const document = {
    name: target.name,
    nats: {
      servers: target.servers,
      monitoring: target.monitoring,
      ...(target.user ? { user: target.user, pass: target.pass } : {}),
      ...(target.tls ? { tls: { ca: target.tls.ca, cert: target.tls.client.cert, key: target.tls.client.key } } : {}),
      ...(target.systemUser ? { system: { user: target.systemUser.user, pass: target.systemUser.pass } } : {}),
    },
    ...(target.gatewayUrls?.length
      ? {
          gateway: {
            urls: target.gatewayUrls,
            ...(target.gatewayUser ? { nats_user: target.gatewayUser.user, nats_pass: target.gatewayUser.pass } : {}),
            ...(target.tls ? { tls: { ca: target.tls.ca } } : {}),
          },
        }
      : {}),
    ...(target.control ? { control: target.control } : {}),
    ...(target.manifest ? { manifest: target.manifest } : {}),
    expect: { nodes: target.monitoring.length, max_payload: `${target.maxPayload / (1024 * 1024)}MB`, tls: target.tls !== undefined },
  };
  // It holds passwords and the control API's token: readable by its owner only.
  writeFileSync(file, `# Written by gauntlet up; use with --target.\n${stringify(document)}`, { mode: 0o600 });
}
