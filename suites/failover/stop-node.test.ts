import { describe, expect, it } from "vitest";

import { expectPass, experiment } from "./support.ts";

describe("graceful stop of a node (lame duck)", () => {
  it("moves clients and leaders away without losing or duplicating a message", async () => {
    const result = await experiment({ name: "stop-node", fault: { kind: "stop-node", lameDuck: true } });
    expectPass(result);
    expect(result.verdict.counts.lost).toBe(0);
    expect(result.verdict.counts.duplicated).toBe(0);
    expect(result.verdict.counts.staleReads).toBe(0);
  });
});
