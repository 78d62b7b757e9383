import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { waitUntil } from "../../../lib/retry/index.ts";
import { gauntlet } from "../../support/cli.ts";
import { useTwin } from "./support/twin.ts";

const { twin, events, runsDir } = useTwin({ nodes: 3, services: [], network: "proxy" });

describe("partitions through the AWS twin", () => {
  it("the SSM iptables scripts cut exactly the links between the isolated node and the others, the heal opens them; real verdict", async () => {
    const started = twin();
    if (!started.cluster.proxies) throw new Error("the twin did not start with route proxies");
    const proxies = started.cluster.proxies;
    const chaos = gauntlet(
      ["chaos", "partition-minority", "--target", started.targetFile, "--execute", "--yes", "--seed", "2", "--runs-dir", runsDir],
      { timeoutMs: 400_000 },
    );
    // While the fault is in effect: the cut links are exactly those of one node with its two peers, both ways.
    const cut = await waitUntil(
      async () => {
        const links = proxies.links().filter((link) => link.state !== "open");
        return links.length === 4 ? links : undefined;
      },
      { timeoutMs: 300_000, intervalMs: 20, what: "the partition's links to be cut" },
    );
    const isolated = [...new Set(cut.flatMap((link) => [link.from, link.to]))].filter((name) =>
      cut.every((link) => link.from === name || link.to === name),
    );
    expect(isolated).toHaveLength(1);
    const result = await chaos;
    expect(result.stdout).toMatch(/PASS partition-minority/);
    expect(result.code).toBe(0);
    expect(proxies.links().every((link) => link.state === "open")).toBe(true);

    const applied = events.filter((event) => /^(partition|heal-partition) /.test(event.what));
    expect(
      applied
        .filter((event) => event.what.startsWith("partition "))
        .map((event) => event.node)
        .sort(),
    ).toEqual(["nats-1", "nats-2", "nats-3"]);
    expect(applied.filter((event) => event.what.startsWith("heal-partition "))).toHaveLength(3);
    const journal = readFileSync(join(runsDir, "latest", "aws-journal.jsonl"), "utf8");
    expect(journal.match(/"operation":"SendCommand","mutating":true,"outcome":"ok"/g)).toHaveLength(6);
  }, 400_000);
});
