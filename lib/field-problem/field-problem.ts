/** Where bad input is and what is wrong with it: shown as `file:field: problem (line N)`. */
export interface FieldProblem {
  readonly file: string;
  readonly field: string;
  readonly problem: string;
  readonly line?: number | undefined;
}

export function formatFieldProblem({ file, field, problem, line }: FieldProblem): string {
  return `${file}:${field}: ${problem}${line === undefined ? "" : ` (line ${line})`}`;
}

/** `["services", 3, "endpoints", 0, "timeout"]` → `services[3].endpoints[0].timeout`; `(root)` for the whole document. */
export function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    "",
  );
}
