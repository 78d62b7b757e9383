import type { GeneratorsFactory } from "../generators.ts";
import type { AgentEndpoint } from "./agent-connection.ts";
import { AgentError } from "./agent-error.ts";
import { type AgentFleetOptions, agentFleet } from "./agent-fleet.ts";
import type { AgentsSpec } from "./agents-spec.ts";
import { MIN_TOKEN_LENGTH } from "./load-agent.ts";
import { LocalAgents } from "./local-agents.ts";

export interface StartAgentsOptions extends AgentFleetOptions {
  /** Worker threads per local agent. */
  workers?: number;
  /** The token remote agents were started with. */
  token?: string;
  /** PEM of the CA behind wss:// agents' certificates. */
  ca?: string;
}

/** Agents ready to take a run, and whatever must stop with it (local processes). */
export interface StartedAgents {
  readonly endpoints: readonly AgentEndpoint[];
  readonly generators: GeneratorsFactory;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Brings up (local) or names (remote) the agents `--agents` asks for. */
export async function startAgents(spec: AgentsSpec, options: StartAgentsOptions = {}): Promise<StartedAgents> {
  switch (spec.kind) {
    case "local": {
      const local = new LocalAgents(spec.count);
      if (options.workers !== undefined) local.withWorkers(options.workers);
      const started = await local.start();
      return {
        endpoints: started.endpoints,
        generators: agentFleet(started.endpoints, options),
        [Symbol.asyncDispose]: () => started.stop(),
      };
    }
    case "remote": {
      const token = options.token ?? "";
      if (token.length < MIN_TOKEN_LENGTH) throw AgentError.weakToken("--agent-token (or GAUNTLET_AGENT_TOKEN)");
      const endpoints = spec.urls.map((url) => ({
        name: new URL(url).host,
        url,
        token,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
      }));
      return { endpoints, generators: agentFleet(endpoints, options), [Symbol.asyncDispose]: async () => undefined };
    }
    case "ecs":
      throw new AgentError("--agents ecs:N is not available yet: run 'gauntlet agent' on your hosts and pass --agents ws://host:port,…");
  }
}
