import { isAbsolute, relative, resolve } from "node:path";
import { Ajv } from "ajv";
import type { IssueAt } from "../../lib/field-problem/index.ts";
import { loadYamlFile, parseYaml } from "../../lib/yaml-file/index.ts";
import { crossCheck } from "./cross-check.ts";
import { ManifestError } from "./manifest-error.ts";
import { manifestSchema, type RawManifest } from "./schema.ts";
import type { Manifest, ManifestService } from "./types.ts";

/** Read, parse and validate a manifest file; every problem is a `ManifestError`. */
export async function loadManifest(path: string): Promise<Manifest> {
  const file = resolve(path);
  const raw = await loadYamlFile(displayPath(file), manifestSchema, { toError: ManifestError.fromProblem, check: manifestProblem });
  return toManifest(raw, file);
}

/** Validate manifest text; `file` names it in errors and in the result. */
export function parseManifest(text: string, file: string): Manifest {
  const raw = parseYaml(displayPath(file), text, manifestSchema, { toError: ManifestError.fromProblem, check: manifestProblem });
  return toManifest(raw, file);
}

function toManifest(raw: RawManifest, file: string): Manifest {
  return { file, services: raw.services.map(toService) };
}

/** What the schema cannot see: names that must match across services, and response schemas Ajv must compile. */
function manifestProblem(raw: RawManifest): IssueAt | undefined {
  const manifest = toManifest(raw, "");
  return crossCheck(manifest) ?? schemaProblem(manifest);
}

function toService(raw: RawManifest["services"][number]): ManifestService {
  return {
    name: raw.name,
    version: raw.version,
    description: raw.description,
    replicas: raw.replicas,
    behaviour: raw.behaviour,
    endpoints: raw.endpoints.map((e) => ({
      name: e.name,
      subject: e.subject ?? `svc.${raw.name}.${e.name}`,
      queue: e.queue,
      timeoutMs: e.timeout,
      samples: e.samples,
      responseSchema: e.responseSchema,
      ...(e.slowSample ? { slowSample: { request: e.slowSample.request, minDelayMs: e.slowSample.minDelay } } : {}),
    })),
    streams: raw.streams.map((s) => ({
      name: s.name,
      subjects: s.subjects,
      replicas: s.replicas,
      storage: s.storage,
      duplicateWindowMs: s.duplicateWindow,
      durable: s.durable,
    })),
    kv: raw.kv,
    calls: raw.calls,
    profile: raw.profile,
  };
}

function schemaProblem(manifest: Omit<Manifest, "file">) {
  const ajv = new Ajv({ strict: false, allErrors: false });
  for (const [s, service] of manifest.services.entries()) {
    for (const [e, endpoint] of service.endpoints.entries()) {
      try {
        ajv.compile(endpoint.responseSchema);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return { path: ["services", s, "endpoints", e, "responseSchema"], problem: `not a valid JSON Schema: ${reason}` };
      }
    }
  }
  return undefined;
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}
