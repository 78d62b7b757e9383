import type { AwsTargetSection } from "../../config/index.ts";
import { AwsError } from "./aws-error.ts";
import type { Tags } from "./discovery.ts";

export interface Resource {
  readonly id: string;
  readonly name: string;
  readonly tags: Tags;
}

/** Refuses a resource that does not carry every allow-list tag; an empty allow-list allows nothing. */
export function requireAllowed(resource: Resource, safety: AwsTargetSection["safety"]): void {
  const wanted = Object.entries(safety.allow_tags);
  const allowed = wanted.length > 0 && wanted.every(([key, value]) => resource.tags[key] === value);
  if (!allowed) throw AwsError.notAllowed(`${resource.id} (${resource.name})`, safety.allow_tags);
}
