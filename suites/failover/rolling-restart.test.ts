import { describe, expect, it } from "vitest";

import { expectPass, experiment } from "./support.ts";

describe("rolling restart of every node", () => {
  it("keeps every acknowledged message through an upgrade-style restart", async () => {
    const result = await experiment({ name: "rolling-restart", fault: { kind: "rolling-restart", lameDuck: true } });
    expectPass(result);
    expect(result.verdict.counts.lost).toBe(0);
    expect(result.verdict.counts.duplicated).toBe(0);
    expect(result.verdict.counts.staleReads).toBe(0);
  });
});
