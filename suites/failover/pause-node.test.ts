import { describe, expect, it } from "vitest";
import type { ExperimentResult } from "../../harness/failover/index.ts";
import { expectPass, experiment, failoverContext } from "./support.ts";

/** The longest time each pinned client went without a success inside the pause, and the pause's length (ns). */
function pauseFigures(result: ExperimentResult): { longestGapNs: number; pauseNs: number } {
  const window = (
    result.verdict.results.availability?.details as { windows?: { start: number; stop: number; longestGapNs: Record<string, number> }[] }
  )?.windows?.[0];
  if (!window) throw new Error(`${result.verdict.experiment}: no pause window in the history (${result.verdict.reason})`);
  const publisher = Object.entries(window.longestGapNs).find(([client]) => client.endsWith("/js-pub-0"));
  return { longestGapNs: publisher?.[1] ?? 0, pauseNs: window.stop - window.start };
}

async function pauseExperiment(name: string, client: "production" | "defaults"): Promise<ExperimentResult> {
  const { target } = await failoverContext();
  const node = target.nemesis?.nodes[0]?.name;
  // One publisher and one KV client, both connected to the node that will hang.
  return experiment({
    name,
    fault: { kind: "pause-node", ...(node ? { node } : {}) },
    client,
    publishers: 1,
    pinTo: 0,
    kvClients: 1,
    gateway: false,
  });
}

describe("pause (SIGSTOP) a node", () => {
  it("clients configured for production notice the hung server within seconds and carry on elsewhere", async () => {
    const result = await pauseExperiment("pause-node", "production");
    expectPass(result);
    const { longestGapNs, pauseNs } = pauseFigures(result);
    // Back before the pause ended: the ping (2 s × 2) found the hung server, the client moved.
    expect(longestGapNs).toBeLessThan(pauseNs);
  });

  it("with nats.js defaults (pingInterval 120 s) a client on the hung node is stuck for the whole pause", async () => {
    const result = await pauseExperiment("pause-node-nats-defaults", "defaults");
    if (result.verdict.verdict === "error") throw new Error(result.verdict.reason);
    const { longestGapNs, pauseNs } = pauseFigures(result);
    // Nothing succeeded until the node resumed: the default ping would notice only after 2 × 120 s.
    expect(longestGapNs).toBeGreaterThanOrEqual(pauseNs * 0.95);
    expect(result.verdict.counts.lost).toBe(0);
  });
});
