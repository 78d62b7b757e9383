import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GauntletError } from "../../lib/errors/index.ts";
import { loadYamlFile } from "../../lib/yaml-file/index.ts";
import { ConfigError } from "../config/index.ts";
import { parseAgentsSpec } from "../load/agents/index.ts";
import { type Profile, ProfileFile } from "./profile-schema.ts";

export const PROFILES_DIR = fileURLToPath(new URL("../../profiles", import.meta.url));

export function builtInProfiles(): string[] {
  return readdirSync(PROFILES_DIR)
    .filter((file) => file.endsWith(".yaml"))
    .map((file) => file.slice(0, -".yaml".length))
    .sort();
}

/** A profile named in `profiles/` (`nightly`), or a path to a user's file, relative to `from`. */
function locate(reference: string, from: string, referrer: string | undefined): string {
  const asPath = isAbsolute(reference) ? reference : resolve(from, reference);
  if (reference.endsWith(".yaml") || reference.endsWith(".yml")) {
    if (existsSync(asPath)) return asPath;
  } else if (existsSync(join(PROFILES_DIR, `${reference}.yaml`))) {
    return join(PROFILES_DIR, `${reference}.yaml`);
  }
  const problem = `no profile "${reference}": use one of ${builtInProfiles().join(", ")} or a path to a .yaml file`;
  if (referrer) throw new ConfigError(referrer, "extends", problem);
  throw new GauntletError(`--profile ${problem}`);
}

/** Deep merge of profile files: the child's values win, arrays are replaced, not concatenated. */
function merge<T>(base: T, child: T): T {
  if (Array.isArray(child) || typeof child !== "object" || child === null) return child ?? base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(child)) {
    if (value !== undefined) out[key] = merge((base as Record<string, unknown> | undefined)?.[key], value);
  }
  return out as T;
}

async function loadChain(file: string, seen: string[]): Promise<ProfileFile> {
  if (seen.includes(file)) throw new ConfigError(file, "extends", `cycle: ${[...seen, file].map((f) => basename(f)).join(" → ")}`);
  const raw = await loadYamlFile(file, ProfileFile, { toError: ConfigError.fromProblem });
  if (!raw.extends) return raw;
  const parent = await loadChain(locate(raw.extends, dirname(file), file), [...seen, file]);
  return merge(parent, { ...raw, extends: undefined });
}

/** As long as the failover suite gives a service or gateway to come back after a heal. */
const DEFAULT_HEALTH_SETTLE_MS = 30_000;

/** Faults that cut, slow or degrade links between nodes need a network that can (`all` includes them). */
const cutsLinks = (fault: string) =>
  fault === "all" || fault.includes("partition") || fault.startsWith("isolate") || fault.endsWith("-link");

/** Loads `--profile X`: one of ours (`smoke`, `nightly`, `release`) or a user's file that may extend ours. */
export async function loadProfile(reference: string, cwd = process.cwd()): Promise<Profile> {
  const file = locate(reference, cwd, undefined);
  const raw = await loadChain(file, []);
  return {
    name: basename(file).replace(/\.ya?ml$/, ""),
    file,
    description: raw.description ?? "",
    stack: {
      nodes: raw.stack?.nodes ?? 5,
      fleetMode: raw.stack?.fleet_mode ?? "process",
      gateways: raw.stack?.gateways ?? 2,
      network:
        raw.stack?.network ??
        ((raw.stack?.network_faults ?? (Boolean(raw.failover?.enabled) && (raw.failover?.faults ?? ["all"]).some(cutsLinks)))
          ? "auto"
          : "none"),
      tls: raw.stack?.tls ?? false,
      syncAlways: raw.stack?.sync === "always",
    },
    expect: { sync: raw.expect?.sync, minReplicas: raw.expect?.min_replicas },
    e2e: { enabled: raw.e2e?.enabled ?? true },
    failover: {
      enabled: raw.failover?.enabled ?? false,
      faults: raw.failover?.faults ?? ["all"],
      seed: raw.failover?.seed,
      env: raw.failover?.env ?? {},
    },
    load: {
      enabled: raw.load?.enabled ?? false,
      scenarios: raw.load?.scenarios ?? [],
      agents: raw.load?.agents === undefined ? undefined : parseAgentsSpec(raw.load.agents),
    },
    health: { settleMs: raw.health?.settle ?? DEFAULT_HEALTH_SETTLE_MS },
  };
}
