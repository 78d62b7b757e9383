import { describe, expect, it } from "vitest";
import { gauntlet } from "../support/cli.ts";

describe("--seed", () => {
  it("is read the same way by run and chaos, and a bad one stops both before anything starts", async () => {
    const problem = '--seed must be a whole number from 0 to 4294967295, got "4294967296"';
    const [run, chaos] = await Promise.all([
      gauntlet(["run", "--seed", "4294967296"]),
      gauntlet(["chaos", "kill-node", "--seed", "4294967296"]),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(problem);
    expect(chaos.code).toBe(2);
    expect(chaos.stderr).toContain(problem);
  });
});
