import { describe, expect, it } from "vitest";

import { expectPass, experiment } from "./support.ts";

describe("network partition isolating the JetStream meta leader", () => {
  it("a new meta leader takes over and nothing acknowledged is lost", async () => {
    const result = await experiment({ name: "isolate-meta-leader", fault: { kind: "isolate-meta-leader" } });
    expectPass(result);
    expect(result.verdict.counts.lost).toBe(0);
    expect(result.verdict.counts.duplicated).toBe(0);
    expect(result.verdict.counts.staleReads).toBe(0);
  });
});
