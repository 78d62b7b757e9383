export { resolveTargetFile } from "./resolve-target.ts";
export type { NodeHandle, StartedStack } from "./stack.ts";
