export { ConfigError } from "./config-error.ts";
export { loadTarget, type Target, TargetSchema } from "./target.ts";
export { writeTargetFile } from "./target-writer.ts";
export { parseSize, Size } from "./units.ts";
