import type { z } from "zod";

export interface IssueAt {
  readonly path: readonly PropertyKey[];
  readonly problem: string;
}

const DEFAULT_TYPE_MESSAGE = /^Invalid input: expected \w+, received \w+$/;

/**
 * The most useful of a schema's issues, in plain words: a misspelt key first (it explains the
 * "required" one beside it), a missing value as `required: …`, a wrong one with what was there.
 * `data` is the input the schema read, to say what was found.
 */
export function describeIssue(error: z.ZodError, data: unknown): IssueAt {
  const issue = error.issues.find((candidate) => candidate.code === "unrecognized_keys") ?? error.issues[0];
  if (!issue) return { path: [], problem: "invalid" };
  switch (issue.code) {
    case "unrecognized_keys":
      return { path: [...issue.path, issue.keys[0] ?? ""], problem: "unknown field (check the spelling)" };
    case "invalid_type": {
      const expected = DEFAULT_TYPE_MESSAGE.test(issue.message) ? `expected ${issue.expected}` : issue.message;
      const value = valueAt(data, issue.path);
      if (value === undefined) return { path: issue.path, problem: `required: ${expected}` };
      return { path: issue.path, problem: `${expected}, got ${describeValue(value)}` };
    }
    default:
      return { path: issue.path, problem: issue.message };
  }
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}
