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

/** An R-replica stream keeps quorum with at most ⌊(R−1)/2⌋ replicas down; assume every down node held one. */
export function requireNodeQuorum(node: Resource, down: ReadonlySet<string>, total: number, safety: AwsTargetSection["safety"]): void {
  if (safety.allow_quorum_loss || down.has(node.id)) return;
  const replicas = Math.min(safety.stream_replicas, total);
  const tolerated = Math.floor((replicas - 1) / 2);
  if (down.size + 1 > tolerated)
    throw AwsError.blastRadius(
      `taking ${node.id} (${node.name}) down makes ${down.size + 1} of ${total} nodes down; an R${replicas} stream keeps quorum with ${tolerated}`,
    );
}

/** A service keeps at least half its tasks: one of a 2-task service at a time. */
export function requireTaskQuorum(service: string, task: string, down: number, desired: number, safety: AwsTargetSection["safety"]): void {
  if (safety.allow_quorum_loss) return;
  const tolerated = Math.floor(desired / 2);
  if (down + 1 > tolerated)
    throw AwsError.blastRadius(`stopping task ${task} makes ${down + 1} of ${service}'s ${desired} tasks down (at most ${tolerated})`);
}
