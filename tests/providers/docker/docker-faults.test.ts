import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { EXPERIMENT_STREAM, type ExperimentSpec, type ExperimentTarget, runExperiment } from "../../../harness/failover/index.ts";
import { serverNameOf } from "../../../harness/nemesis/jetstream-api.ts";
import { type ContainerNetwork, containerPartitionsUnavailable } from "../../../harness/providers/docker/index.ts";
import { tmpfsUnavailable } from "../../../harness/providers/local/index.ts";
import { retry } from "../../../lib/retry/index.ts";
import { holdDockerEngine } from "../../support/docker-engine.ts";
import { dockerStackForTests } from "../../support/docker-stack.ts";

/*
 * The faults the Docker provider injects through a disk, the containers' network namespaces and
 * new containers: one 3-node stack (cluster only) for the file, faulted through its control API
 * as a suite sees it, with short timings. Each fault is shown to bite: a bound its effect must cross,
 * by construction of the fault. That a healthy stack passes each experiment is docker-stack.test.ts's.
 */
const unavailable = (await holdDockerEngine()) ?? containerPartitionsUnavailable() ?? tmpfsUnavailable();

const short = { quietMs: 1_000, recoveryMs: 1_000 };
/** TCP segments the nodes' network namespaces have retransmitted so far (`RetransSegs` of each container's /proc/net/snmp). */
async function retransmittedSegments(nodes: readonly { readonly pid: number | undefined }[]): Promise<number> {
  let total = 0;
  for (const node of nodes) {
    const snmp = await readFile(`/proc/${node.pid}/net/snmp`, "utf8");
    const [names, values] = snmp.split("\n").filter((line) => line.startsWith("Tcp:"));
    const column = names?.split(" ").indexOf("RetransSegs") ?? -1;
    total += Number(values?.split(" ")[column]);
  }
  return total;
}

const run = (target: ExperimentTarget, spec: ExperimentSpec) =>
  runExperiment(target, { kvClients: 0, publishers: 1, ...spec, timing: { ...short, ...spec.timing } });

describe.skipIf(unavailable !== undefined)(`docker provider faults${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  const file = dockerStackForTests({ nodes: 3, diskFaults: true });
  it("disk-full: an R1 stream on the full node stops acknowledging until the node is freed and restarted, losing nothing", {
    timeout: 120_000,
  }, async () => {
    const broken = await run(file.target, {
      name: "disk-full-r1",
      fault: { kind: "disk-full", stream: EXPERIMENT_STREAM },
      stream: { replicas: 1 },
      timing: { faultMs: 6_000 },
    });
    // Nothing acknowledged from shortly after the disk filled until the node restarted: most of the 6 s fault.
    expect(broken.verdict.maxUnavailableMs).toBeGreaterThanOrEqual(3_000);
    expect(broken.verdict.counts.acknowledged).toBeGreaterThan(0);
    expect(broken.verdict.counts.lost).toBe(0);
  });

  it("lossy-link: 3 % of packets dropped in the containers' namespaces, which TCP retransmits; nothing acknowledged is lost", {
    timeout: 60_000,
  }, async () => {
    const before = await retransmittedSegments(file.stack.cluster.nodes);
    const lossy = await run(file.target, {
      name: "lossy-link",
      fault: { kind: "lossy-link", links: "all", loss: 0.03 },
      timing: { faultMs: 4_000 },
    });
    expect(lossy.verdict.reason).toBe("every checker passed");
    expect(lossy.verdict.counts.acknowledged).toBeGreaterThan(0);
    // Real drops: the nodes' TCP stacks retransmitted segments (a clean run retransmits next to none).
    expect((await retransmittedSegments(file.stack.cluster.nodes)) - before).toBeGreaterThanOrEqual(10);
  });

  it("bandwidth-limit: routes capped at 1024 kbit/s hold five 64 KiB R3 publishes until the capped routes have carried them", {
    timeout: 90_000,
  }, async () => {
    const network = file.stack.cluster.network as ContainerNetwork;
    const nc = await connect({ servers: file.stack.cluster.clientUrls });
    const rateKbit = 1024;
    const size = 64 * 1024;
    const messages = 5;
    try {
      await jetstreamManager(nc).then((jsm) => jsm.streams.add({ name: "CAPPED", subjects: ["capped.>"], num_replicas: 3 }));
      const js = jetstream(nc);
      // A stream just created may not have a leader, or its subject's interest on every node, yet: no responders.
      await retry(() => js.publish("capped.ready", new Uint8Array(1)), {
        what: "the new stream to answer",
        timeoutMs: 20_000,
        intervalMs: 100,
      });
      await network.degrade({ links: "routes", rateKbit, seed: 1 });
      expect(await network.queueing("nats-1")).toMatch(/htb 1: root/);
      const started = performance.now();
      // Random bytes: JetStream s2-compresses a replicated message over 8 KiB, and zeros would cross the cap as a few bytes.
      for (let index = 0; index < messages; index++) await js.publish(`capped.${index}`, randomBytes(size), { timeout: 30_000 });
      // Each message leaves the stream leader on a capped route at least once (to the follower that acknowledges it).
      // htb sends a packet while its class has any tokens left and charges it in full, so only the last message may
      // go on credit: the others' bits, less the 4 KiB burst, wait for tokens (bits ÷ kbit/s = ms).
      expect(performance.now() - started).toBeGreaterThanOrEqual((((messages - 1) * size - 4096) * 8) / rateKbit);
      await network.heal();
      expect(await network.queueing("nats-1")).not.toMatch(/htb/);
    } finally {
      await network.heal();
      await nc.close();
    }
  });

  it("replace-node: a new container with a new server name and an empty store takes the slot; the old peer is removed and nothing is lost", {
    timeout: 120_000,
  }, async () => {
    const replaced = await run(file.target, { name: "replace-node", fault: { kind: "replace-node", node: "nats-2" }, publishers: 2 });
    expect(replaced.verdict.reason).toBe("every checker passed");
    expect(replaced.verdict.counts.acknowledged).toBeGreaterThan(0);
    expect(file.stack.cluster.nodes.map((node) => node.name)).toEqual(["nats-1", "nats-2", "nats-3"]);
    expect(await serverNameOf(file.stack.cluster.monitoringUrls[1] as string)).toBe("nats-2-r1");
    expect(file.stack.cluster.replacedNodes.map((node) => node.serverName)).toEqual(["nats-2"]);
  });
});
