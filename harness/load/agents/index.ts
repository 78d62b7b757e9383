export { AgentConnection, type AgentEndpoint } from "./agent-connection.ts";
export { AgentError } from "./agent-error.ts";
export { type AgentFleetOptions, agentFleet, dealWorkers } from "./agent-fleet.ts";
export { AGENT_PROTOCOL_VERSION, type UsageSample } from "./agent-protocol.ts";
export { type AgentReport, formatAgents } from "./agent-report.ts";
export { type AgentsSpec, parseAgentsSpec } from "./agents-spec.ts";
export { LoadAgent, MIN_TOKEN_LENGTH, StartedLoadAgent } from "./load-agent.ts";
export { LocalAgents, StartedLocalAgents } from "./local-agents.ts";
export { type StartAgentsOptions, type StartedAgents, startAgents } from "./start-agents.ts";
