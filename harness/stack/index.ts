export { GatewayProcess } from "./gateway-process.ts";
export {
  DEFAULT_MANIFEST,
  type FleetChoice,
  fitReplicas,
  type LocalStackOptions,
  StartedLocalStack,
  startLocalStack,
} from "./local-stack.ts";
