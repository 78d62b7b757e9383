import { describe, expect, it } from "vitest";
import { EXPERIMENT_STREAM } from "../../harness/failover/index.ts";
import { expectPass, experiment } from "./support.ts";

describe("network partition isolating the stream leader", () => {
  it("a new stream leader takes over and nothing acknowledged is lost", async () => {
    const result = await experiment({ name: "isolate-stream-leader", fault: { kind: "isolate-stream-leader", stream: EXPERIMENT_STREAM } });
    expectPass(result);
    expect(result.verdict.counts.lost).toBe(0);
    expect(result.verdict.counts.duplicated).toBe(0);
    expect(result.verdict.counts.staleReads).toBe(0);
  });
});
