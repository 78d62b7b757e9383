import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkKvRegister } from "../../harness/checkers/index.ts";
import { HistoryRecorder } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { KvWorkload } from "./support/kv-workload.ts";
import { restartNode } from "./support/node-faults.ts";
import { waitForJetStream } from "./support/queue-workload.ts";

let cluster: StartedLocalCluster;
beforeAll(async () => {
  cluster = await new LocalCluster().withNodes(1).start();
});
afterAll(async () => {
  await cluster?.stop();
});

const client = (): Promise<NatsConnection> => connect({ servers: cluster.clientUrls, reconnectTimeWait: 50, maxReconnectAttempts: -1 });

describe("KV register checker on real runs against nats-server", () => {
  it("finds a real concurrent KV workload consistent", async () => {
    const recorder = new HistoryRecorder();
    const connections = await Promise.all([client(), client(), client()]);
    try {
      await new Kvm(jetstream(connections[0] as NatsConnection)).create("registers", { history: 5 });
      const workers = connections.map(async (nc, worker) => {
        const kv = new KvWorkload(recorder, `c${worker}`, await new Kvm(jetstream(nc)).open("registers"));
        for (let i = 0; i < 40; i++) {
          const key = `k${(i * 7 + worker) % 3}`;
          if (i % 3 === 0) await kv.put(key, `c${worker}-${i}`);
          else await kv.get(key);
        }
      });
      await Promise.all(workers);
    } finally {
      await Promise.all(connections.map((nc) => nc.close()));
    }
    const result = checkKvRegister(recorder.entries);
    expect(result.reason).toMatch(/consistent/);
    expect(result.valid).toBe(true);
    expect(result.counts).toMatchObject({ confirmedWrites: 42, confirmedReads: 78, violations: 0 });
  });

  it("catches the stale reads after a restart wipes a memory-storage bucket", async () => {
    const recorder = new HistoryRecorder();
    const nc = await client();
    try {
      const kvm = new Kvm(jetstream(nc));
      const kv = new KvWorkload(recorder, "c1", await kvm.create("volatile", { storage: "memory" }));
      await kv.put("balance", "100");
      await kv.put("balance", "90");
      await kv.get("balance");
      await restartNode(cluster, recorder);
      await waitForJetStream(nc);
      const after = new KvWorkload(recorder, "c1", await kvm.create("volatile", { storage: "memory" }));
      await after.get("balance");
      await after.put("balance", "80");
      await after.get("balance");
    } finally {
      await nc.close();
    }
    const result = checkKvRegister(recorder.entries);
    expect(result.valid).toBe(false);
    // One fault, every symptom: both reads after the restart miss the confirmed "90" (stale) and go
    // back from revision 2 (regress); the new put gets revision 1 again (write regress, reused
    // revision), and the read of it disagrees with the first write at revision 1.
    expect(result.counts).toMatchObject({
      "stale-read": 2,
      "read-regress": 2,
      "write-regress": 1,
      "duplicate-revision": 1,
      "value-mismatch": 1,
      "unknown-value": 0,
    });
    const stale = result.details.violations.examples.find((v) => v.kind === "stale-read");
    expect(stale).toMatchObject({ op: { key: "balance", value: null, revision: 0 }, against: { value: "90", revision: 2 } });
  });
});
