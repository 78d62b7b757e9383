import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAvailability, checkLatency } from "../../harness/checkers/index.ts";
import { HistoryRecorder } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";
import { onlyNode, sleep, untilStopped } from "./support/node-faults.ts";

let cluster: StartedLocalCluster;
beforeAll(async () => {
  cluster = await new LocalCluster().withNodes(1).start();
});
afterAll(async () => {
  await cluster?.stop();
});

const client = (): Promise<NatsConnection> => connect({ servers: cluster.clientUrls, reconnectTimeWait: 50, maxReconnectAttempts: -1 });

/** Waits (bounded) until `condition` holds over the recorded history. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (condition()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("availability checker on a real paused nats-server", () => {
  it("sees no success inside the pause, counts the timeouts and measures each client's recovery after the heal", async () => {
    const recorder = new HistoryRecorder();
    const responder = await client();
    responder.subscribe("svc.echo", {
      callback: (_error, msg) => {
        msg.respond(msg.data);
      },
    });
    const clients = await Promise.all([client(), client()]);
    const node = onlyNode(cluster);
    let done = false;
    const count = (process: string, type: string, after = 0) =>
      recorder.entries.filter((e) => e.process === process && e.type === type && e.time >= after).length;
    const loops = clients.map(async (nc, n) => {
      for (let i = 0; i < 1000 && !done; i++) {
        await recorder.run(`c${n}`, "request", i, async () => (await nc.request("svc.echo", String(i), { timeout: 150 })).string());
        await sleep(10);
      }
    });
    try {
      await until(() => count("c0", "ok") >= 5 && count("c1", "ok") >= 5, "first successes");
      await node.pause();
      await untilStopped(node.pid);
      recorder.nemesis("start", "pause", { node: node.name });
      const start = recorder.now();
      await until(() => count("c0", "info", start) >= 2 && count("c1", "info", start) >= 2, "timeouts during the pause");
      recorder.nemesis("stop", "pause", { node: node.name });
      const stop = recorder.now();
      await node.resume();
      await until(() => count("c0", "ok", stop) >= 5 && count("c1", "ok", stop) >= 5, "successes after the heal");
    } finally {
      done = true;
      await node.resume();
      await Promise.all(loops);
      await Promise.all([...clients, responder].map((nc) => nc.close()));
    }

    const result = checkAvailability(recorder.entries);
    expect(result.valid).toBe(true);
    const [window] = result.details.windows;
    if (!window) throw new Error("no fault window found");
    expect(window.fault).toBe("pause");
    expect(window.info).toBeGreaterThanOrEqual(4);
    for (const process of ["c0", "c1"]) {
      // Sequential clients: after the first request invoked inside the pause, nothing can succeed until the heal.
      const firstInvokeInside = recorder.entries.find((e) => e.process === process && e.type === "invoke" && e.time >= window.start);
      expect(window.longestGapNs[process]).toBeGreaterThanOrEqual(window.stop - (firstInvokeInside?.time ?? window.start));
      expect(window.recoveryNs[process]).toBeGreaterThan(0);
    }
    expect(result.counts.maxRecoveryNs).toBe(window.maxRecoveryNs);
    expect(checkAvailability(recorder.entries, { maxRecoveryNs: 1 }).valid).toBe(false);
    // The pause-node experiment's own checks: a client on the paused server was stuck for all of the pause.
    expect(checkAvailability(recorder.entries, { windowGap: { client: "c0", below: 1 } }).valid).toBe(false);
    const stuck = checkAvailability(recorder.entries, { windowGap: { client: "c0", atLeast: 0.95 } });
    expect(stuck.valid).toBe(true);
    expect(stuck.details.windowGap?.gapNs).toBe(window.longestGapNs.c0);

    const latency = checkLatency(recorder.entries);
    expect(latency.details.overall.quiet.count).toBeGreaterThan(10);
    expect(latency.details.byF.request?.all.count).toBe(result.counts.ok);
  });
});
