export { GatewayError } from "./errors.ts";
export type { GatewayManifest, GatewayService } from "./gateway-manifest.ts";
export { LATENCY_BUCKETS } from "./metrics.ts";
export type { GatewayCredentials, NatsTlsFiles } from "./nats-connection.ts";
export { FORWARDED_HEADERS } from "./nats-headers.ts";
export { GATEWAY_DENIED_SUBJECTS, GATEWAY_INBOX_PREFIX, type GatewayPermissions, gatewayPermissions } from "./permissions.ts";
export { EVENT_TYPE_RULE, EVENTS_SEGMENT } from "./route-table.ts";
export { type GatewayOptions, type StartedGateway, startGateway } from "./start-gateway.ts";
export { DOCUMENTED_STATUSES } from "./status-mapping.ts";
