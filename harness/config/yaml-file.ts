import { readFile } from "node:fs/promises";
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigError } from "./config-error.ts";

type Path = readonly PropertyKey[];

/** `nats.servers[0]` from a zod issue path. */
export function formatPath(path: Path): string {
  if (path.length === 0) return "(root)";
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    "",
  );
}

function lineOf(document: ReturnType<typeof parseDocument>, counter: LineCounter, path: Path): number | undefined {
  let node: unknown = document.contents;
  let found: unknown = node;
  for (const key of path) {
    if (isMap(node)) node = node.get(key as string, true);
    else if (isSeq(node)) node = node.get(key as number, true);
    else break;
    if (node) found = node;
  }
  const range = (found as { range?: [number, number, number] } | undefined)?.range;
  return range ? counter.linePos(range[0]).line : undefined;
}

/** Reads a YAML file and validates it with `schema`; the first problem becomes `file:field: problem (line N)`. */
export async function loadYamlFile<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw ConfigError.unreadable(file, error);
  }
  return parseYaml(file, text, schema);
}

export function parseYaml<S extends z.ZodType>(file: string, text: string, schema: S): z.output<S> {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  const [syntax] = document.errors;
  if (syntax) {
    const line = counter.linePos(syntax.pos[0]).line;
    throw new ConfigError(file, line ? `line ${line}` : "(syntax)", `invalid YAML: ${syntax.message.split("\n")[0]}`);
  }
  const result = schema.safeParse(document.toJS() ?? {});
  if (result.success) return result.data;
  const { path, problem } = describeIssue(result.error.issues);
  const line = lineOf(document, counter, path);
  throw new ConfigError(file, formatPath(path), `${problem}${line ? ` (line ${line})` : ""}`);
}

/** The most useful issue first (a misspelt key explains the "missing" one beside it), in plain words. */
function describeIssue(issues: readonly z.core.$ZodIssue[]): { path: Path; problem: string } {
  const issue = issues.find((candidate) => candidate.code === "unrecognized_keys") ?? issues[0];
  if (!issue) return { path: [], problem: "invalid" };
  if (issue.code === "unrecognized_keys") return { path: [...issue.path, issue.keys[0] ?? ""], problem: "unknown field" };
  if (issue.code === "invalid_type" && /received undefined/.test(issue.message))
    return { path: issue.path, problem: `missing (expected ${issue.expected})` };
  return { path: issue.path, problem: issue.message };
}
