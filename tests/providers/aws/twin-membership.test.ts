import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { JournalEntry } from "../../../harness/providers/aws/index.ts";
import { gauntlet } from "../../support/cli.ts";
import { useTwin } from "./support/twin.ts";

const { twin, events, runsDir } = useTwin({ nodes: 3, services: [] });

describe("membership changes through the AWS twin", () => {
  it("replace-node: the ASG's replacement is a new node (new name, new address, empty store) that joins; the old peer is removed; real verdict", async () => {
    const started = twin();
    const before = started.cluster.nodes.map((node) => ({ name: node.serverName, url: node.clientUrl }));
    const chaos = await gauntlet(
      ["chaos", "replace-node", "--target", started.targetFile, "--execute", "--yes", "--seed", "1", "--runs-dir", runsDir],
      { timeoutMs: 400_000 },
    );
    expect(chaos.stdout).toMatch(/PASS replace-node/);
    expect(chaos.code).toBe(0);

    const journal = readFileSync(join(runsDir, "latest", "aws-journal.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as JournalEntry);
    expect(journal.filter((entry) => entry.mutating).map((entry) => `${entry.service}.${entry.operation} ${entry.outcome}`)).toEqual([
      "autoscaling.TerminateInstanceInAutoScalingGroup ok",
    ]);
    const after = started.cluster.nodes.map((node) => ({ name: node.serverName, url: node.clientUrl }));
    const replaced = after.filter((node) => !before.some((old) => old.name === node.name));
    expect(replaced).toHaveLength(1);
    expect(replaced[0]?.name).toMatch(/^nats-\d-r1$/);
    expect(before.map((node) => node.url)).not.toContain(replaced[0]?.url);
    expect(events.some((event) => /^replaced by i-\w+ \(127\.\d+\.\d+\.\d+\)/.test(event.what))).toBe(true);

    // The cluster agrees with the Auto Scaling group again: 3 routed peers, a meta group of 3 (the old peer is gone).
    const doctor = await gauntlet(["doctor", "--target", started.targetFile]);
    expect(doctor.stdout).toMatch(/ASG = NATS cluster\s+✔ pass\s+3 instances, 3 routed peers, cluster_size 3/);
  }, 400_000);
});
