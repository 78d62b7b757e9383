import { describe, it } from "vitest";
import type { ExperimentChecks } from "../../harness/checkers/index.ts";
import { expectPass, experiment, failoverContext } from "./support.ts";

async function pauseExperiment(name: string, client: "production" | "defaults", checks: ExperimentChecks) {
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
    checks,
  });
}

describe("pause (SIGSTOP) a node", () => {
  it("clients configured for production notice the hung server within seconds and carry on elsewhere", async () => {
    // Back before the pause ended: the ping (2 s × 2) found the hung server, the client moved.
    expectPass(await pauseExperiment("pause-node", "production", { windowGap: { client: "js-pub-0", below: 1 } }));
  });

  it("with nats.js defaults (pingInterval 120 s) a client on the hung node is stuck for the whole pause", async () => {
    // Nothing succeeded until the node resumed: the default ping would notice only after 2 × 120 s.
    expectPass(await pauseExperiment("pause-node-nats-defaults", "defaults", { windowGap: { client: "js-pub-0", atLeast: 0.95 } }));
  });
});
