import { AgentError } from "./agent-error.ts";

/** What `--agents` asks for. */
export type AgentsSpec = { kind: "local"; count: number } | { kind: "ecs"; count: number } | { kind: "remote"; urls: string[] };

const FORMS = "N, local:N, ecs:N, or ws[s]://host:port[,…]";

/** `where` names the option or field in errors: `--agents`, or a profile's `load.agents`. */
export function parseAgentsSpec(value: string, where = "--agents"): AgentsSpec {
  const text = value.trim();
  const count = (digits: string): number => {
    const n = Number(digits);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw AgentError.invalidSpec(where, value, `expected a count from 1 to 1000 (${FORMS})`);
    return n;
  };
  if (/^\d+$/.test(text)) return { kind: "local", count: count(text) };
  if (text.startsWith("local:")) return { kind: "local", count: count(text.slice("local:".length)) };
  if (text.startsWith("ecs:")) return { kind: "ecs", count: count(text.slice("ecs:".length)) };
  const urls = text.split(",").map((u) => u.trim());
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw AgentError.invalidSpec(where, value, `'${url}' is not a URL (${FORMS})`);
    }
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      throw AgentError.invalidSpec(where, value, `'${url}' is not ws:// or wss:// (${FORMS})`);
    }
  }
  return { kind: "remote", urls };
}
