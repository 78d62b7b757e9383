import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import type { Target } from "../../config/index.ts";

/** Writes the plain target an `aws` target resolved to: its addresses with the file's credentials, readable by any `--target`. */
export function writeResolvedTarget(file: string, target: Target): void {
  const document = {
    name: target.name,
    nats: target.nats,
    ...(target.gateway ? { gateway: { urls: target.gateway.urls } } : {}),
    ...(target.manifest ? { manifest: target.manifest } : {}),
    expect: {
      nodes: target.expect.nodes,
      ...(target.expect.maxPayload !== undefined ? { max_payload: target.expect.maxPayload } : {}),
      ...(target.expect.tls !== undefined ? { tls: target.expect.tls } : {}),
      ...(target.expect.sync !== undefined ? { sync: target.expect.sync } : {}),
      ...(target.expect.minReplicas !== undefined ? { min_replicas: target.expect.minReplicas } : {}),
    },
  };
  writeFileSync(file, `# Resolved by gauntlet discover from ${target.file} at ${new Date().toISOString()}.\n${stringify(document)}`);
}
