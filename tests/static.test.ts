import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: "utf8", cwd: new URL("..", import.meta.url).pathname });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("static checks", () => {
  it("type-checks under TypeScript strict", () => {
    const { code, output } = run("tsc", ["--noEmit", "-p", "."]);
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("passes the linter and formatter", () => {
    const { code, output } = run("biome", ["check", "--error-on-warnings", "."]);
    expect(code, output).toBe(0);
  });
});
