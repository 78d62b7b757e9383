import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTargetFile } from "../../harness/config/index.ts";
import { GameDayJournal } from "../../harness/record/index.ts";
import { natsConnectionOptions } from "../../lib/nats-options/index.ts";
import { gauntlet, gauntletUp } from "../support/cli.ts";

describe("gameday/nlb-target-loss.yaml against the AWS twin (moto control plane, local nodes)", () => {
  const runsDir = mkdtempSync(join(tmpdir(), "gauntlet-gameday-twin-"));
  let twin: { child: ChildProcess; pid: number } | undefined;
  let target = "";
  let nodeUrls: string[] = [];

  beforeAll(async () => {
    const started = await gauntletUp(["--aws-twin"]);
    twin = { child: started.child, pid: started.ready.pid };
    target = started.ready.target;
    nodeUrls = started.ready.nats;
  }, 180_000);

  const journalOf = (stdout: string) => {
    const dir = /run record (\S+) \(journal/.exec(stdout)?.[1] ?? "";
    return GameDayJournal.parse(JSON.parse(readFileSync(join(dir, "journal.json"), "utf8")));
  };

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

  it("plan picks a node and reads the stop alarm; run deregisters it, the NLB closes its connections and the services reconnect to the other nodes", async () => {
    const plan = await gauntlet(["gameday", "plan", "gameday/nlb-target-loss.yaml", "--target", target, "--seed", "5"]);
    expect(plan.stdout).toMatch(/3\. deregister-nlb-target nats-\d \(random\) — for 60 s, then healed/);
    expect(plan.stdout).toContain("alarm twin-stop: OK now");
    expect(plan.stdout).toContain("Nothing was changed.");
    // 0, or 1 when a probe reads false at that moment (a loaded machine): never 2, every selector resolved.
    expect(plan.code, plan.stdout).not.toBe(2);

    const result = await gauntlet(
      ["gameday", "run", "gameday/nlb-target-loss.yaml", "--target", target, "--yes", "--duration-scale", "0.2", "--runs-dir", runsDir],
      { timeoutMs: 180_000 },
    );
    expect(result.stdout, result.stdout).toContain("HELD");
    expect(result.code).toBe(0);
    const journal = journalOf(result.stdout);
    const mutating = journal.events.flatMap((event) =>
      event.type === "aws-call" && /^(Deregister|Register)/.test(event.operation) ? [`${event.operation} ${event.outcome}`] : [],
    );
    expect(mutating).toEqual(["DeregisterTargets ok", "RegisterTargets ok"]);
    const fault = journal.events.find((event) => event.type === "fault");
    const node = String(fault?.type === "fault" ? fault.target.node : "");
    const readings = journal.probes.find((probe) => probe.name === "no service client on a node out of the NLB")?.readings ?? [];
    const clientsOn = (detail: string) => Number(new RegExp(`${node}(?: \\(out of the NLB\\))?: (\\d+)`).exec(detail)?.[1]);
    const before = readings.find((reading) => reading.phase === "before");
    // The last reading while the node was out: the balancer acts on its next read of the registrations, clients reconnect after.
    const out = readings.filter((reading) => reading.detail.includes(`${node} (out of the NLB)`)).at(-1);
    // Through the NLB, the node had clients; out of it, none; by the end every client is back, on the others.
    const seen = readings.map((reading) => `${reading.phase}: ${reading.detail}`).join("\n");
    expect(clientsOn(before?.detail ?? ""), seen).toBeGreaterThan(0);
    expect(out && clientsOn(out.detail), seen).toBe(0);
    expect(readings.at(-1), seen).toMatchObject({ phase: "after", value: before?.value });
    expect(journal.load[0]).toMatchObject({ name: "requests", scenario: "nats-request-reply" });
  }, 300_000);

  it("catches a client the NLB cannot move: one connected to the node directly stays on it after the deregistration", async () => {
    const credentials = (await readTargetFile(target)).nats;
    const nats2 = nodeUrls[1] as string;
    const direct = await connect(natsConnectionOptions({ ...credentials, servers: [nats2] }, { name: "direct#0" }));
    try {
      const file = join(runsDir, "direct-client.yaml");
      writeFileSync(
        file,
        `title: a client that bypasses the NLB
steady_state:
  period: 500ms
  probes:
    - name: no service client on a node out of the NLB
      clients: { name_contains: "#", max_outside_nlb: 0 }
      tolerate_for: 2s
method:
  - fault: deregister-nlb-target
    node: nats-2
    duration: 5s
`,
      );
      const result = await gauntlet(["gameday", "run", file, "--target", target, "--yes", "--runs-dir", runsDir], { timeoutMs: 120_000 });
      expect(result.stdout).toContain("DEVIATED");
      expect(result.code).toBe(1);
      expect(journalOf(result.stdout).events).toContainEqual(
        expect.objectContaining({
          type: "deviation",
          phase: "during",
          detail: expect.stringMatching(/^1 clients on nodes out of the NLB > 0 \(.*nats-2 \(out of the NLB\): 1,/),
        }),
      );
    } finally {
      await direct.close();
    }
  }, 180_000);

  it("selects nodes by availability zone, and names the zones there are when one matches nothing", async () => {
    const file = join(runsDir, "by-zone.yaml");
    const text = readFileSync("gameday/nlb-target-loss.yaml", "utf8").replace("    node: random\n", "    node: random\n    az: ZONE\n");
    writeFileSync(file, text.replace("ZONE", "eu-west-1b"));
    const plan = await gauntlet(["gameday", "plan", file, "--target", target]);
    expect(plan.stdout).toMatch(/3\. deregister-nlb-target nats-\d \(random\)/);
    expect(plan.code, plan.stdout).not.toBe(2);
    writeFileSync(file, text.replace("ZONE", "eu-west-1z"));
    const none = await gauntlet(["gameday", "plan", file, "--target", target]);
    expect(none.stdout).toMatch(/no node in availability zone eu-west-1z \(zones: eu-west-1[abc], eu-west-1[abc], eu-west-1[abc]\)/);
    expect(none.code).toBe(2);
  }, 180_000);
});
