import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where the bundled scenarios live: `suites/load`. */
export const SCENARIOS_DIR = fileURLToPath(new URL("../../suites/load/", import.meta.url));

/** The names `gauntlet load` takes for the bundled scenarios (helpers such as gateway-targets are not scenarios). */
export function scenarioNames(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((file) => file.endsWith(".ts") && !file.startsWith("gateway-targets"))
    .map((file) => file.slice(0, -3))
    .sort();
}

/** A scenario given by name (suites/load/<name>.ts) or by a path (relative to `base`); undefined when neither exists. */
export function findScenario(name: string, base = process.cwd()): string | undefined {
  const path = resolve(base, name);
  if ((name.endsWith(".ts") || name.includes("/")) && existsSync(path)) return path;
  if (!/^[\w.-]+$/.test(name)) return undefined;
  const bundled = join(SCENARIOS_DIR, name.endsWith(".ts") ? name : `${name}.ts`);
  return existsSync(bundled) && !name.startsWith("gateway-targets") ? bundled : undefined;
}
