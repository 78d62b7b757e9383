import { describe, expect, it } from "vitest";

import { expectPass, experiment } from "./support.ts";

describe("network partition isolating a minority", () => {
  it("the majority keeps serving, nothing acknowledged is lost, the minority rejoins", async () => {
    const result = await experiment({ name: "partition-minority", fault: { kind: "partition-minority" } });
    expectPass(result);
    expect(result.verdict.counts.lost).toBe(0);
    expect(result.verdict.counts.duplicated).toBe(0);
    expect(result.verdict.counts.staleReads).toBe(0);
  });
});
