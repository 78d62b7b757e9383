import type { GatewayManifest } from "./gateway-manifest.ts";
import { RouteTable } from "./route-table.ts";

/** Inbox prefix of the gateway's connection (`inboxPrefix`); its replies arrive under it. */
export const GATEWAY_INBOX_PREFIX = "_INBOX_gateway";

/** System and API subjects the gateway never needs; denied explicitly on top of the allowlist. */
export const GATEWAY_DENIED_SUBJECTS = ["$JS.>", "$KV.>", "$SYS.>", "$SRV.>"] as const;

export interface GatewayPermissions {
  publish: { allow: string[]; deny: string[] };
  subscribe: { allow: string[]; deny: string[] };
}

/**
 * Least-privilege nats-server permissions for a gateway serving `manifest`: publish only to
 * the endpoint subjects and stream subjects, subscribe only to its own inbox prefix.
 * Drop the result into `authorization { users: [{ user, password, permissions }] }`.
 */
export function gatewayPermissions(manifest: GatewayManifest): GatewayPermissions {
  const routes = RouteTable.fromManifest(manifest);
  return {
    publish: { allow: [...new Set([...routes.endpointSubjects(), ...routes.streamSubjects()])], deny: [...GATEWAY_DENIED_SUBJECTS] },
    subscribe: { allow: [`${GATEWAY_INBOX_PREFIX}.>`], deny: [...GATEWAY_DENIED_SUBJECTS] },
  };
}
