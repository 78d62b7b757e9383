import { describe, expect, it } from "vitest";
import { expectPass, experiment } from "./support.ts";

describe("kill -9 a node", () => {
  it("loses no acknowledged message, duplicates none, reads no stale KV value, and everything comes back", async () => {
    const result = await experiment({ name: "kill-node", fault: { kind: "kill-node" } });
    expectPass(result);
    expect(result.verdict.counts.lost).toBe(0);
    expect(result.verdict.counts.duplicated).toBe(0);
    expect(result.verdict.counts.staleReads).toBe(0);
  });
});
