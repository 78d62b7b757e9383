import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalCluster } from "../../harness/providers/local/index.ts";
import { gauntlet } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "gauntlet-chaos-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("gauntlet chaos and gauntlet check", () => {
  it("refuses an unknown experiment and names the known ones (exit 2)", async () => {
    const result = await gauntlet(["chaos", "kill-everything", "--runs-dir", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/chaos: no failover experiment named kill-everything \(known: .*kill-node.*kill-stream-leader.*, all\)/);
  });

  it("`all` selects every experiment a healthy system passes; a demonstration (r1-stream) runs only by name", async () => {
    const all = await gauntlet(["chaos", "all", "--list"]);
    expect(all.code).toBe(0);
    const selected = all.stdout.trim().split("\n");
    expect(selected).toEqual(expect.arrayContaining(["kill-node", "partition-minority", "full-restart", "kill-gateway-replica"]));
    expect(selected).not.toContain("r1-stream");
    expect(selected).not.toContain("r1-stream (demonstration)");
    const byName = await gauntlet(["chaos", "r1-stream", "--list"]);
    expect(byName.stdout.trim()).toBe("r1-stream (demonstration)");
    const every = await gauntlet(["chaos", "--list"]);
    expect(every.code).toBe(0);
    expect(every.stdout.trim().split("\n")).toEqual([...selected, "r1-stream (demonstration)"].sort());
  });

  it("against a system it does not run, says the fault could not be injected (never a pass), and check recomputes that from history.jsonl", async () => {
    await using cluster = await new LocalCluster().withNodes(3).start();
    const targetFile = join(dir, "someone-else.yaml");
    writeFileSync(
      targetFile,
      `name: someone else\nnats:\n  servers: [${cluster.clientUrls.join(", ")}]\n  monitoring: [${cluster.monitoringUrls.join(", ")}]\n`,
    );
    const runsDir = join(dir, "runs");
    const chaos = await gauntlet(["chaos", "kill-node", "--target", targetFile, "--seed", "42", "--runs-dir", runsDir], {
      timeoutMs: 180_000,
    });
    expect(chaos.stdout).toContain("seed 42");
    expect(chaos.stdout).toMatch(/ERROR kill-node \(kill-node\): .*not run: .*someone-else\.yaml: no control API/);
    expect(chaos.code).toBe(1);
    const runDir = join(runsDir, "latest");
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8"));
    expect(summary.failover.experiments).toMatchObject([{ name: "kill-node", fault: "kill-node", verdict: "error" }]);
    expect(readFileSync(join(runDir, "junit.xml"), "utf8")).toContain("kill-node");

    const check = await gauntlet(["check", runDir]);
    expect(check.stdout).toMatch(/ERROR kill-node \(kill-node\) \(matches the run\)/);
    expect(check.code).toBe(1);

    const missing = await gauntlet(["check", join(dir, "nowhere")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`check: ${join(dir, "nowhere")}: no such file or directory`);
  });
});
