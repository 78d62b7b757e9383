export { AwsSection, type AwsTargetSection } from "./aws-target.ts";
export { ConfigError } from "./config-error.ts";
export {
  loadTarget,
  type ResolvedAddresses,
  readTargetFile,
  type Target,
  type TargetExpectations,
  type TargetFile,
  TargetSchema,
  toTarget,
} from "./target.ts";
export { writeTargetFile } from "./target-writer.ts";
export { parseSize, Size } from "./units.ts";
