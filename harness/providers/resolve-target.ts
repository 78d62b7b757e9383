import { readTargetFile, type Target, toTarget } from "../config/index.ts";

/** Any target file: one with addresses as it is, one with an `aws` section through discovery (read-only calls). */
export async function resolveTargetFile(file: string): Promise<Target> {
  const raw = await readTargetFile(file);
  if (!raw.aws) return toTarget(file, raw);
  // The AWS SDK loads only for aws targets.
  const { openAwsTarget } = await import("./aws/index.ts");
  using aws = await openAwsTarget(file, raw);
  return aws.target;
}
