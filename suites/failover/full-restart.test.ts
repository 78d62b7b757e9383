import { describe, expect, it } from "vitest";
import { expectPass, experiment } from "./support.ts";

describe("full-cluster restart", () => {
  it("keeps every acknowledged message of an R3 file stream when every node is killed and started again", async () => {
    const result = await experiment({ name: "full-restart", fault: { kind: "full-restart" } });
    expectPass(result);
    expect(result.verdict.counts.acknowledged).toBeGreaterThan(0);
    expect(result.verdict.counts.lost).toBe(0);
  });
});
