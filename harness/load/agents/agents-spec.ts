import { AgentError } from "./agent-error.ts";

/** What `--agents` asks for. */
export type AgentsSpec = { kind: "local"; count: number } | { kind: "ecs"; count: number } | { kind: "remote"; urls: string[] };

const FORMS = "N, local:N, ecs:N, or ws[s]://host:port[,…]";

function count(value: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000)
    throw AgentError.invalidSpec("--agents", value, `expected a count from 1 to 1000 (${FORMS})`);
  return n;
}

export function parseAgentsSpec(value: string): AgentsSpec {
  const text = value.trim();
  if (/^\d+$/.test(text)) return { kind: "local", count: count(value, text) };
  if (text.startsWith("local:")) return { kind: "local", count: count(value, text.slice("local:".length)) };
  if (text.startsWith("ecs:")) return { kind: "ecs", count: count(value, text.slice("ecs:".length)) };
  const urls = text.split(",").map((u) => u.trim());
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw AgentError.invalidSpec("--agents", value, `'${url}' is not a URL (${FORMS})`);
    }
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      throw AgentError.invalidSpec("--agents", value, `'${url}' is not ws:// or wss:// (${FORMS})`);
    }
  }
  return { kind: "remote", urls };
}
