import { readFile } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import { Ajv } from "ajv";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { crossCheck } from "./cross-check.ts";
import { ManifestError } from "./manifest-error.ts";
import { manifestSchema, type RawManifest } from "./schema.ts";
import type { Manifest, ManifestService } from "./types.ts";

/** Read, parse and validate a manifest file; every problem is a `ManifestError`. */
export async function loadManifest(path: string): Promise<Manifest> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw ManifestError.unreadable(displayPath(file), error);
  }
  return parseManifest(text, file);
}

/** Validate manifest text; `file` names it in errors and in the result. */
export function parseManifest(text: string, file: string): Manifest {
  const shown = displayPath(file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0].line ?? lines.linePos(yamlError.pos[0]).line;
    throw new ManifestError(shown, "(yaml)", yamlError.message.split("\n")[0] ?? "invalid YAML", { line, cause: yamlError });
  }
  const lineOf = (path: (string | number)[]) => lineOfPath(doc, lines, path);
  const data = withoutExtensions(doc.toJS());
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const { path, problem } = describeIssue(issue, data);
    throw new ManifestError(shown, formatPath(path), problem, withLine(lineOf(path)));
  }
  const manifest = { file, services: parsed.data.services.map(toService) };
  const problem = crossCheck(manifest) ?? schemaProblem(manifest);
  if (problem) throw new ManifestError(shown, formatPath(problem.path), problem.problem, withLine(lineOf(problem.path)));
  return manifest;
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

function describeIssue(issue: z.core.$ZodIssue, data: unknown): { path: (string | number)[]; problem: string } {
  const path = issue.path.map((p) => (typeof p === "number" ? p : String(p)));
  switch (issue.code) {
    case "unrecognized_keys":
      return { path: [...path, issue.keys[0] as string], problem: "unknown field (check the spelling)" };
    case "invalid_type": {
      const value = valueAt(data, path);
      if (value === undefined) return { path, problem: `required: ${issue.message}` };
      return { path, problem: `${issue.message}, got ${describeValue(value)}` };
    }
    default:
      return { path, problem: issue.message };
  }
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** `["services", 3, "endpoints", 0, "timeout"]` → `services[3].endpoints[0].timeout`. */
export function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return "(root)";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** The line of the deepest YAML node that exists along `path`. */
function lineOfPath(doc: ReturnType<typeof parseDocument>, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Top-level `x-` keys are free for YAML anchors (shared schemas), as in docker compose files. */
function withoutExtensions(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith("x-")));
}

function withLine(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}
