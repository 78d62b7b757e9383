import type { GeneratorsFactory } from "../generators.ts";
import type { AgentEndpoint } from "./agent-connection.ts";
import { AgentError } from "./agent-error.ts";
import { type AgentFleetOptions, agentFleet } from "./agent-fleet.ts";
import type { AgentsSpec } from "./agents-spec.ts";
import type { EcsAgentFlags } from "./ecs-target.ts";
import { MIN_TOKEN_LENGTH } from "./load-agent.ts";
import { LocalAgents } from "./local-agents.ts";

export interface StartAgentsOptions extends AgentFleetOptions {
  /** Worker threads per local agent. */
  workers?: number;
  /** The token remote agents were started with. */
  token?: string;
  /** PEM of the CA behind wss:// agents' certificates. */
  ca?: string;
  /** `--agents ecs:N`: the aws target file and the image (and network overrides). */
  ecs?: EcsAgentFlags & { targetFile: string | undefined };
  progress?: (line: string) => void;
  signal?: AbortSignal;
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
      if (token.length < MIN_TOKEN_LENGTH) throw AgentError.weakToken("GAUNTLET_AGENT_TOKEN (or --agent-token-file)");
      const endpoints = spec.urls.map((url) => ({
        name: new URL(url).host,
        url,
        token,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
      }));
      return { endpoints, generators: agentFleet(endpoints, options), [Symbol.asyncDispose]: async () => undefined };
    }
    case "ecs": {
      if (!options.ecs) throw new AgentError("--agents ecs:N needs an aws target and an image (--target FILE --agent-image IMAGE)");
      // The AWS SDK loads only for ECS agents.
      const { ecsAgentsFromTarget } = await import("./ecs-target.ts");
      const { EcsAgents } = await import("./ecs-agents.ts");
      const place = await ecsAgentsFromTarget(options.ecs.targetFile, options.ecs);
      try {
        const started = await new EcsAgents({
          ...place,
          count: spec.count,
          ...(options.workers !== undefined ? { workers: options.workers } : {}),
          ...(options.progress ? { progress: options.progress } : {}),
        }).start(options.signal);
        return {
          endpoints: started.endpoints,
          generators: agentFleet(started.endpoints, options),
          [Symbol.asyncDispose]: async () => {
            try {
              await started.stop(options.signal?.aborted ? "gauntlet load aborted" : "gauntlet load finished");
            } finally {
              place[Symbol.dispose]();
            }
          },
        };
      } catch (error) {
        place[Symbol.dispose]();
        throw error;
      }
    }
  }
}
