export { type LocalStackOptions, StartedLocalStack, startLocalStack } from "./local-stack.ts";
