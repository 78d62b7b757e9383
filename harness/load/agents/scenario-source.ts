import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import type { ScenarioSource } from "./agent-protocol.ts";

/** Gauntlet's checkout: an agent built from the same image finds bundled scenarios here. */
export const REPO_ROOT = resolve(import.meta.dirname, "..", "..", "..");

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** What the coordinator sends of a scenario module. */
export function readScenarioSource(file: string): ScenarioSource {
  const source = readFileSync(file, "utf8");
  const inRepo = relative(REPO_ROOT, file);
  const path = inRepo.startsWith("..") || isAbsolute(inRepo) ? file : inRepo;
  return { path, source, sha256: sha256(source) };
}

export interface LocalScenario {
  /** Absolute path to import. */
  file: string;
  /** Removes what was written for it. */
  dispose(): void;
}

/**
 * The agent's copy of the scenario: its own file at the same place in its checkout when the text is
 * identical (relative imports then resolve as on the coordinator), else the text written to a temp dir.
 */
export function localScenario(scenario: ScenarioSource): LocalScenario {
  const own = isAbsolute(scenario.path) ? scenario.path : join(REPO_ROOT, scenario.path);
  if (existsSync(own) && sha256(readFileSync(own, "utf8")) === scenario.sha256) return { file: own, dispose: () => undefined };
  const dir = mkdtempSync(join(tmpdir(), "gauntlet-agent-"));
  const file = join(dir, basename(scenario.path));
  writeFileSync(file, scenario.source);
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
