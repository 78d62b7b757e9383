import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { LoadError, runLoad } from "../../harness/load/index.ts";
import { PublishBatch } from "../../harness/load/publish-batch.ts";
import { LocalCluster } from "../../harness/providers/local/index.ts";

const decoder = new TextDecoder();

describe("core publish batch", () => {
  it("delivers every publish of a run intact and in order, headers included, and a request never overtakes them", async () => {
    await using cluster = await new LocalCluster().withNodes(1).start();
    const nc = await connect({ servers: cluster.clientUrls });
    const seen = new Map<string, number[]>();
    const withHeaders: string[] = [];
    nc.subscribe("gauntlet.test.pub.*", {
      callback: (_error, msg) => {
        const vu = msg.subject.split(".").at(-1) as string;
        const n = Number(decoder.decode(msg.data));
        seen.set(vu, [...(seen.get(vu) ?? []), n]);
        if (msg.headers) withHeaders.push(`${vu}:${msg.headers.get("x-n")}:${n}`);
      },
    });
    nc.subscribe("gauntlet.test.order", {
      callback: (_error, msg) => {
        const { vu, n } = JSON.parse(decoder.decode(msg.data)) as { vu: number; n: number };
        msg.respond(
          seen.get(String(vu))?.at(-1) === n ? "in order" : `last publish seen ${seen.get(String(vu))?.at(-1)}, request after ${n}`,
        );
      },
    });
    await nc.flush();
    try {
      const result = await runLoad({
        scenario: new URL("./fixtures/publish-order.ts", import.meta.url).pathname,
        target: { nats: { servers: cluster.clientUrls } },
        workers: 2,
        progress: false,
      });
      // The worker drained its connection before closing: the last messages may still be on their way.
      const deadline = performance.now() + 5000;
      while ([...seen.values()].reduce((sum, n) => sum + n.length, 0) < 400 && performance.now() < deadline) await nc.flush();
      expect(result.metrics.nats_pubs?.count).toBe(400);
      expect(result.metrics.checks).toMatchObject({ rate: 1, total: 8 });
      expect([...seen.keys()].sort()).toEqual(["1", "2"]);
      const expected = Array.from({ length: 200 }, (_, i) => i);
      for (const numbers of seen.values()) expect(numbers).toEqual(expected);
      expect(withHeaders.length).toBe(40);
      for (const entry of withHeaders) {
        const [, header, n] = entry.split(":");
        expect(header).toBe(n);
      }
    } finally {
      await nc.close();
    }
  });

  it("refuses what the server would refuse, naming the subject, before anything is queued", async () => {
    await using cluster = await new LocalCluster().withNodes(1).withConfig({ max_payload: 1024 }).start();
    const nc = await connect({ servers: cluster.clientUrls });
    const sub = nc.subscribe("gauntlet.test.ok", { max: 1 });
    await nc.flush();
    try {
      const batch = new PublishBatch(nc);
      expect(() => batch.add("bad subject", new Uint8Array(1), undefined, undefined)).toThrow(
        new LoadError("publish: subject 'bad subject' is empty or has whitespace"),
      );
      expect(() => batch.add("", new Uint8Array(1), undefined, undefined)).toThrow(/subject '' is empty/);
      expect(() => batch.add("gauntlet.test.big", new Uint8Array(2000), undefined, undefined)).toThrow(
        "publish to 'gauntlet.test.big': 2000 bytes exceed the server's max_payload of 1024",
      );
      expect(batch.pending).toBe(0);
      batch.add("gauntlet.test.ok", new Uint8Array([111, 107]), undefined, undefined);
      batch.flush();
      for await (const msg of sub) expect(msg.string()).toBe("ok");
      await nc.close();
      expect(() => batch.add("gauntlet.test.ok", new Uint8Array(1), undefined, undefined)).toThrow(
        "publish to 'gauntlet.test.ok': the NATS connection is closed",
      );
    } finally {
      if (!nc.isClosed()) await nc.close();
    }
  });
});
