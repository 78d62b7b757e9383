export type { DockerImages } from "./docker-stack.ts";
export { GatewayProcess } from "./gateway-process.ts";
export { DEFAULT_MANIFEST, type FleetChoice, type LocalStackOptions, StartedLocalStack, startLocalStack } from "./local-stack.ts";
export { fitReplicas } from "./stack-parts.ts";
export { PROVIDERS, type ProviderName, type RunningStack, type StackOptions, startStack } from "./start-stack.ts";
