import type { ServiceBehaviour } from "../../manifest/types.ts";
import type { BehaviourFactory } from "./behaviour.ts";

export type { Behaviour, BehaviourContext, BehaviourFactory } from "./behaviour.ts";
export { standInHandler } from "./stand-in.ts";

/** Loaded on demand so a replica process imports only the code (and JetStream client) it runs. */
const FACTORIES: Record<Exclude<ServiceBehaviour, "stand-in">, () => Promise<BehaviourFactory>> = {
  "ai-integration": async () => (await import("./ai-integration.ts")).aiIntegration,
  "model-management": async () => (await import("./model-management.ts")).modelManagement,
  "state-manager": async () => (await import("./state-manager.ts")).stateManager,
  "story-teller": async () => (await import("./story-teller.ts")).storyTeller,
  "event-bus": async () => (await import("./event-bus.ts")).eventBus,
};

export async function behaviourFactory(behaviour: ServiceBehaviour): Promise<BehaviourFactory | undefined> {
  return behaviour === "stand-in" ? undefined : FACTORIES[behaviour]();
}
