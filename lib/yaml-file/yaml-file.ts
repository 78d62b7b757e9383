import { readFile } from "node:fs/promises";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { describeIssue, type FieldProblem, fieldPath, type IssueAt } from "../field-problem/index.ts";

export interface YamlFileOptions<T> {
  /** Builds the caller's typed error; its message should be `formatFieldProblem(problem)`. */
  readonly toError: (problem: FieldProblem, cause?: unknown) => Error;
  /** Checks across fields after the schema (names that must match, and such); located like schema issues. */
  readonly check?: (value: T) => IssueAt | undefined;
}

/** Reads a YAML file and validates it with `schema`; the first problem becomes `file:field: problem (line N)`. */
export async function loadYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  options: YamlFileOptions<z.output<S>>,
): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw options.toError({ file, field: "(file)", problem: reason }, error);
  }
  return parseYaml(file, text, schema, options);
}

/** The same for YAML text; `file` names it in errors. */
export function parseYaml<S extends z.ZodType>(file: string, text: string, schema: S, options: YamlFileOptions<z.output<S>>): z.output<S> {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const [syntax] = document.errors;
  if (syntax) {
    const problem = `invalid YAML: ${syntax.message.split("\n")[0]}`;
    throw options.toError({ file, field: "(yaml)", problem, line: lines.linePos(syntax.pos[0]).line }, syntax);
  }
  const data: unknown = document.toJS() ?? {};
  const located = (issue: IssueAt) =>
    options.toError({ file, field: fieldPath(issue.path), problem: issue.problem, line: lineOf(document, lines, issue.path) });
  const result = schema.safeParse(data);
  if (!result.success) throw located(describeIssue(result.error, data));
  const crossIssue = options.check?.(result.data);
  if (crossIssue) throw located(crossIssue);
  return result.data;
}

/** The line of the deepest YAML node that exists along `path`. */
function lineOf(document: ReturnType<typeof parseDocument>, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}
