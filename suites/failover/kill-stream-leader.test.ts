import { describe, expect, it } from "vitest";
import { EXPERIMENT_STREAM } from "../../harness/failover/index.ts";
import { expectPass, experiment } from "./support.ts";

describe("kill -9 the leader of the stream", () => {
  it("the stream elects a new leader and keeps every acknowledged message", async () => {
    const result = await experiment({ name: "kill-stream-leader", fault: { kind: "kill-stream-leader", stream: EXPERIMENT_STREAM } });
    expectPass(result);
    expect(result.verdict.counts.lost).toBe(0);
    expect(result.verdict.counts.duplicated).toBe(0);
    expect(result.verdict.counts.staleReads).toBe(0);
  });
});
