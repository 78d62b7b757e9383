import { describe, expect, it } from "vitest";
import { expectPass, experiment, failoverContext } from "./support.ts";

describe("kill a service replica", () => {
  it("requests through the gateway keep being answered by the other replica, and the killed one rejoins discovery", async () => {
    const { service } = await failoverContext();
    const result = await experiment({
      name: "kill-service-replica",
      checks: { required: ["reconnection"] },
      fault: { kind: "kill-service-replica", ...(service ? { replica: `${service}#0` } : {}) },
    });
    expectPass(result);
    expect(result.verdict.counts.lost).toBe(0);
  });
});
