import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GameDayJournal } from "../../harness/record/index.ts";
import { gauntlet, gauntletUp } from "../support/cli.ts";

describe("gameday/nlb-target-loss.yaml against the AWS twin (moto control plane, local nodes)", () => {
  const runsDir = mkdtempSync(join(tmpdir(), "gauntlet-gameday-twin-"));
  let twin: { child: ChildProcess; pid: number } | undefined;
  let target = "";

  beforeAll(async () => {
    const started = await gauntletUp(["--aws-twin"]);
    twin = { child: started.child, pid: started.ready.pid };
    target = started.ready.target;
  }, 180_000);

  afterAll(async () => {
    if (twin && twin.child.exitCode === null) {
      const exited = new Promise((resolve) => twin?.child.once("exit", resolve));
      process.kill(twin.pid, "SIGINT");
      // Seen on a loaded machine: the twin not exiting on SIGINT within the hook; its crash guard cleans up after a SIGKILL.
      const stopped = await Promise.race([exited.then(() => true), sleep(90_000).then(() => false)]);
      if (!stopped) {
        process.kill(twin.pid, "SIGKILL");
        await exited;
      }
    }
    rmSync(runsDir, { recursive: true, force: true });
  }, 180_000);

  it("plan picks a node and reads the stop alarm; run deregisters it from the NLB's target group and registers it again", async () => {
    const plan = await gauntlet(["gameday", "plan", "gameday/nlb-target-loss.yaml", "--target", target, "--seed", "5"]);
    expect(plan.stdout).toMatch(/1\. deregister-nlb-target nats-\d \(random\) — for 60 s, then healed/);
    expect(plan.stdout).toContain("alarm twin-stop: OK now");
    expect(plan.stdout).toContain("Nothing was changed.");
    // 0, or 1 when a probe reads false at that moment (a loaded machine): never 2, every selector resolved.
    expect(plan.code, plan.stdout).not.toBe(2);

    const result = await gauntlet(
      ["gameday", "run", "gameday/nlb-target-loss.yaml", "--target", target, "--yes", "--duration-scale", "0.1", "--runs-dir", runsDir],
      { timeoutMs: 180_000 },
    );
    expect(result.stdout).toContain("HELD");
    expect(result.code).toBe(0);
    const dir = /run record (\S+) \(journal/.exec(result.stdout)?.[1] ?? "";
    const journal = GameDayJournal.parse(JSON.parse(readFileSync(join(dir, "journal.json"), "utf8")));
    const mutating = journal.events.flatMap((event) =>
      event.type === "aws-call" && /^(Deregister|Register)/.test(event.operation) ? [`${event.operation} ${event.outcome}`] : [],
    );
    expect(mutating).toEqual(["DeregisterTargets ok", "RegisterTargets ok"]);
  }, 300_000);

  it("selects nodes by availability zone, and names the zones there are when one matches nothing", async () => {
    const file = join(runsDir, "by-zone.yaml");
    const text = readFileSync("gameday/nlb-target-loss.yaml", "utf8").replace("    node: random\n", "    node: random\n    az: ZONE\n");
    writeFileSync(file, text.replace("ZONE", "eu-west-1b"));
    const plan = await gauntlet(["gameday", "plan", file, "--target", target]);
    expect(plan.stdout).toMatch(/1\. deregister-nlb-target nats-\d \(random\)/);
    expect(plan.code, plan.stdout).not.toBe(2);
    writeFileSync(file, text.replace("ZONE", "eu-west-1z"));
    const none = await gauntlet(["gameday", "plan", file, "--target", target]);
    expect(none.stdout).toMatch(/no node in availability zone eu-west-1z \(zones: eu-west-1[abc], eu-west-1[abc], eu-west-1[abc]\)/);
    expect(none.code).toBe(2);
  }, 180_000);
});
