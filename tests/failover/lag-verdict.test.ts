import { describe, expect, it } from "vitest";
import { type ExperimentMeta, judgeExperiment } from "../../harness/checkers/index.ts";
import { PROBE } from "../../harness/history/index.ts";
import { ScriptedHistory } from "../checkers/support/scripted-history.ts";

/** A partition experiment whose final reads found nats-5 still behind after the heal, on `network`. */
function laggingAfterHeal(network: string | undefined) {
  const meta: ExperimentMeta = {
    experiment: "partition-minority",
    fault: "partition-minority",
    stream: "S",
    replicas: 3,
    storage: "file",
    expectedInstances: {},
    reconnectBoundNs: 30e9,
    graceNs: 10e9,
    ...(network ? { network } : {}),
  };
  const h = new ScriptedHistory().probe(PROBE.experiment, meta, 0);
  h.op("p/js-pub-0", "publish", { id: "a", stream: "S" }, { type: "ok", result: { stream: "S", seq: 1 } }, 1);
  h.nemesis("start", "partition-minority", 10).nemesis("stop", "partition-minority", 20);
  h.probe("stream-replicas", { stream: "S", converged: false, lagging: [{ name: "nats-5", lag: 3904 }] }, 30);
  h.op("p/final-reader", "read", { stream: "S" }, { type: "ok", result: [{ id: "a", stream: "S" }] }, 31);
  return judgeExperiment(h.entries);
}

describe("a replica left behind after a heal: the verdict says which network saw it", () => {
  it("on the kernel network it is a nats-server finding with its evidence", () => {
    const verdict = laggingAfterHeal("kernel");
    expect(verdict.causes).toContain("replica-lag");
    expect(verdict.reason).toContain("nats-5 lag 3904 — a nats-server finding: the partition was iptables DROP");
  });

  it("through the route proxies it is not blamed on nats-server", () => {
    const verdict = laggingAfterHeal("proxy");
    expect(verdict.reason).toContain("seen through Gauntlet's route proxies: re-run on the kernel network");
    expect(verdict.reason).not.toContain("a nats-server finding:");
  });

  it("a history from before networks were named says neither", () => {
    expect(laggingAfterHeal(undefined).reason).toMatch(/nats-5 lag 3904(;|$)/);
  });
});
