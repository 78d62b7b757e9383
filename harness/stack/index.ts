export { GatewayProcess } from "./gateway-process.ts";
export { DEFAULT_MANIFEST, type FleetChoice, type LocalStackOptions, StartedLocalStack, startLocalStack } from "./local-stack.ts";
