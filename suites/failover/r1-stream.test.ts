import { describe, it } from "vitest";
import { EXPERIMENT_STREAM } from "../../harness/failover/index.ts";
import { experiment } from "./support.ts";

describe("R1 stream while its node is down", () => {
  /*
   * An R1 stream has no replica to fail over to: while its node is down, nothing is acknowledged.
   * That is a property of the deployment, reported as a finding (this test fails with
   * "finding: …"), never as a pass: use R3 for anything that must stay available.
   */
  it("is reported as a finding: no publish acknowledged while the stream's node is down", async () => {
    const result = await experiment({
      name: "r1-stream-node-down",
      fault: { kind: "kill-stream-leader", stream: EXPERIMENT_STREAM },
      stream: { replicas: 1 },
      kvClients: 0,
      gateway: false,
    });
    const { verdict } = result;
    if (verdict.verdict === "error") throw new Error(`r1-stream-node-down: ${verdict.reason}`);
    const finding = verdict.results.windows;
    if (finding?.valid === false) throw new Error(`${finding.reason}; lost ${verdict.counts.lost} acknowledged`);
    throw new Error(
      `finding: expected an R1 stream to be unavailable while its node was down, yet the checks say: ${verdict.reason} — is the stream really R1?`,
    );
  });
});
