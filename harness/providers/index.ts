export type { NodeHandle, StartedStack } from "./stack.ts";
