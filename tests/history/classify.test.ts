import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HistoryRecorder } from "../../harness/history/index.ts";
import { LocalCluster, type StartedLocalCluster } from "../../harness/providers/local/index.ts";

let cluster: StartedLocalCluster;
beforeAll(async () => {
  cluster = await new LocalCluster().withNodes(1).start();
});
afterAll(async () => {
  await cluster?.stop();
});

describe("error classification against a real nats-server", () => {
  it("records no responders and the misleading 'jetstream is not enabled' as failures with their class, a timeout as unknown", async () => {
    const nc = await connect({ servers: cluster.clientUrls });
    try {
      const recorder = new HistoryRecorder();
      const silent = nc.subscribe("gauntlet.silent");
      const noResponders = await recorder.run("c1", "request", "x", () => nc.request("gauntlet.nobody", "x", { timeout: 1000 }));
      const timedOut = await recorder.run("c1", "request", "y", () => nc.request("gauntlet.silent", "y", { timeout: 100 }));
      const noStream = await recorder.run("c1", "publish", "z", () => jetstream(nc).publish("gauntlet.no-stream", "z", { timeout: 1000 }));
      silent.unsubscribe();
      expect(noResponders).toMatchObject({ type: "fail", error: { class: "no-responders" } });
      expect(timedOut).toMatchObject({ type: "info", error: { class: "timeout" } });
      expect(noStream).toMatchObject({ type: "fail", error: { class: "jetstream-not-enabled" } });
      expect(recorder.entries.filter((entry) => entry.type !== "invoke").map((entry) => [entry.type, entry.error?.class])).toEqual([
        ["fail", "no-responders"],
        ["info", "timeout"],
        ["fail", "jetstream-not-enabled"],
      ]);
    } finally {
      await nc.close();
    }
  });

  it("records an operation on a closed connection as unknown, and an ok result as the completion value", async () => {
    const nc = await connect({ servers: cluster.clientUrls });
    const recorder = new HistoryRecorder();
    const sub = nc.subscribe("gauntlet.echo", {
      callback: (_error, msg) => {
        msg.respond(msg.data);
      },
    });
    const ok = await recorder.run("c1", "request", "hi", async () => (await nc.request("gauntlet.echo", "hi")).string());
    sub.unsubscribe();
    await nc.close();
    const closed = await recorder.run("c1", "request", "late", () => nc.request("gauntlet.echo", "late"));
    expect(ok).toEqual({ type: "ok", result: "hi" });
    expect(closed).toMatchObject({ type: "info", error: { class: "connection-closed" } });
    expect(recorder.entries[1]).toMatchObject({ type: "ok", value: "hi" });
  });
});
