import { describe, expect, it } from "vitest";
import { expectPass, experiment } from "./support.ts";

describe("kill a gateway replica", () => {
  it("the other gateway keeps answering and the killed one is ready again after its restart", async () => {
    const result = await experiment({
      name: "kill-gateway-replica",
      checks: { required: ["reconnection"] },
      fault: { kind: "kill-gateway-replica" },
    });
    expectPass(result);
    expect(result.verdict.counts.lost).toBe(0);
  });
});
