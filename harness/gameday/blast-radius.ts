import type { Target } from "../config/index.ts";
import type { NemesisTarget } from "../nemesis/index.ts";
import { BlastRadiusGuard, readStreamPlacement } from "../safety/index.ts";
import type { GameDay } from "./schema.ts";

/** The game day's quorum guard over a target's nodes: its file's `blast_radius`, every stream's real placement. */
export function gameDayGuard(gameDay: GameDay, target: Target, nemesis: NemesisTarget): BlastRadiusGuard {
  const nodes = nemesis.nodes;
  return new BlastRadiusGuard({
    allowQuorumLoss: gameDay.blast_radius.allow_quorum_loss,
    allowServiceOutage: gameDay.blast_radius.allow_service_outage,
    serviceOutageLever: "blast_radius.allow_service_outage",
    placement: () => readStreamPlacement(target.nats, nodes),
    assumedReplicas: 3,
    nodes: nodes.map((node) => node.name),
  });
}
