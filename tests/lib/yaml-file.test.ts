import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type FieldProblem, fieldPath, formatFieldProblem } from "../../lib/field-problem/index.ts";
import { loadYamlFile, parseYaml } from "../../lib/yaml-file/index.ts";

class TestError extends Error {
  readonly problem: FieldProblem;

  constructor(problem: FieldProblem) {
    super(formatFieldProblem(problem));
    this.problem = problem;
  }
}

const Schema = z.strictObject({
  name: z.string({ error: "expected a name" }),
  ports: z.array(z.int().min(1, "expected a port above 0")),
  limits: z.strictObject({ low: z.number(), high: z.number() }).optional(),
});
const options = {
  toError: (problem: FieldProblem) => new TestError(problem),
  check: (value: z.output<typeof Schema>) =>
    value.limits && value.limits.high < value.limits.low ? { path: ["limits", "high"], problem: "must not be below low" } : undefined,
};
const problemOf = (text: string) => {
  try {
    parseYaml("f.yaml", text, Schema, options);
  } catch (error) {
    return (error as Error).message;
  }
  return "no problem";
};

describe("YAML + zod: the first problem as file:field: problem (line N)", () => {
  it.each([
    ["a wrong value", "name: a\nports: [80, 0]\n", "f.yaml:ports[1]: expected a port above 0 (line 2)"],
    ["a wrong type", "name: a\nports: 80\n", "f.yaml:ports: expected array, got number 80 (line 2)"],
    ["a missing field", "ports: [80]\n", "f.yaml:name: required: expected a name (line 1)"],
    [
      "a misspelt key before the missing one it explains",
      "nme: a\nports: [80]\n",
      "f.yaml:nme: unknown field (check the spelling) (line 1)",
    ],
    ["a cross-field check", "name: a\nports: []\nlimits:\n  low: 5\n  high: 1\n", "f.yaml:limits.high: must not be below low (line 5)"],
    [
      "broken YAML",
      "name: [a\n",
      "f.yaml:(yaml): invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (line 2)",
    ],
    ["a repeated key", "name: a\nname: b\nports: []\n", "f.yaml:(yaml): invalid YAML: Map keys must be unique (line 2)"],
  ])("%s", (_case, text, expected) => {
    expect(problemOf(text)).toBe(expected);
  });

  it("names a missing file", async () => {
    await expect(loadYamlFile("/nonexistent/f.yaml", Schema, options)).rejects.toThrow("/nonexistent/f.yaml:(file): file not found");
  });

  it("writes paths as a reader would", () => {
    expect(fieldPath(["services", 3, "endpoints", 0, "timeout"])).toBe("services[3].endpoints[0].timeout");
    expect(fieldPath([])).toBe("(root)");
  });
});
