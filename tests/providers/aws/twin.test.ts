import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { ListCommandsCommand } from "@aws-sdk/client-ssm";
import { afterAll, describe, expect, it } from "vitest";
import { AwsClients, type JournalEntry, TWIN_STOP_ALARM } from "../../../harness/providers/aws/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { gauntlet, gauntletUp } from "../../support/cli.ts";

const runsDir = mkdtempSync(join(tmpdir(), "gauntlet-twin-runs-"));
let up: { child: ChildProcess; pid: number } | undefined;

/** Ctrl-C to the CLI itself (the bootstrap wrapper leaves SIGINT to it), then its exit code. */
function interrupt(running: { child: ChildProcess; pid: number }): Promise<number | null> {
  if (running.child.exitCode !== null) return Promise.resolve(running.child.exitCode);
  const exited = new Promise<number | null>((resolve) => running.child.once("exit", resolve));
  process.kill(running.pid, "SIGINT");
  return exited;
}

afterAll(async () => {
  if (up) await interrupt(up);
  rmSync(runsDir, { recursive: true, force: true });
}, 120_000);

describe("the AWS twin: moto as control plane, local nodes as data plane", () => {
  it("gauntlet chaos kill-node --execute --yes runs the AWS code path end to end (SSM kills a real node, real verdict, journal); a stop alarm mid-fault heals and ends it ABORTED", async () => {
    // The cluster alone: the twin's services have their own test (twin-tasks), and the whole fleet is slow on a loaded machine.
    const started = await gauntletUp(["--aws-twin", "--cluster-only"]);
    up = { child: started.child, pid: started.ready.pid };
    const { target, dir, endpoint } = started.ready as unknown as { target: string; dir: string; endpoint: string };
    expect(readFileSync(target, "utf8")).toMatch(/aws:\n {2}region: eu-west-1\n {2}endpoint: http:\/\/127\.0\.0\.1:\d+/);

    const doctor = await gauntlet(["doctor", "--target", target]);
    expect(doctor.stdout).toMatch(/ASG = NATS cluster\s+✔ pass\s+5 instances, 5 routed peers, cluster_size 5/);
    expect(doctor.code).toBe(0);

    const chaos = await gauntlet(["chaos", "kill-node", "--target", target, "--execute", "--yes", "--seed", "3", "--runs-dir", runsDir], {
      timeoutMs: 400_000,
    });
    expect(chaos.stdout).toMatch(/PASS kill-node \(kill-node\): lost 0, duplicated 0/);
    expect(chaos.code).toBe(0);
    const journal = readFileSync(join(runsDir, "latest", "aws-journal.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as JournalEntry);
    const mutating = journal.filter((entry) => entry.mutating);
    expect(mutating.map((entry) => `${entry.service}.${entry.operation} ${entry.outcome}`)).toEqual([
      "ssm.SendCommand ok",
      "ssm.SendCommand ok",
    ]);
    expect(mutating.every((entry) => (entry.requestId ?? "").length > 20)).toBe(true);
    // The node the nemesis picked really died and came back: its log shows a second start.
    const history = readFileSync(join(runsDir, "latest", "history.jsonl"), "utf8");
    const killed = history.match(/"f":"start".*?"node":"(nats-\d)"/)?.[1] ?? "?";
    const [clusterDir] = readdirSync(dir).filter((name) => name.startsWith("gauntlet-"));
    const log = readFileSync(join(dir, clusterDir ?? "?", killed, "nats-server.log"), "utf8");
    expect(log.match(/Starting nats-server/g)).toHaveLength(2);

    // The stop alarm goes to ALARM while the next kill is in effect: healed at once, the run ends ABORTED.
    const clients = new AwsClients({ region: "eu-west-1", endpoint, execute: true });
    const sentBefore = (await clients.ssm.send(new ListCommandsCommand({}))).Commands?.length ?? 0;
    const aborted = gauntlet(["chaos", "kill-node", "--target", target, "--execute", "--yes", "--seed", "4", "--runs-dir", runsDir], {
      timeoutMs: 400_000,
    });
    await waitUntil(async () => ((await clients.ssm.send(new ListCommandsCommand({}))).Commands?.length ?? 0) > sentBefore || undefined, {
      timeoutMs: 300_000,
      intervalMs: 100,
      what: "the kill command",
    });
    await clients.cloudWatch.send(new SetAlarmStateCommand({ AlarmName: TWIN_STOP_ALARM, StateValue: "ALARM", StateReason: "test" }));
    const abortedRun = await aborted;
    clients.destroy();
    expect(abortedRun.stdout).toContain(`ABORTED — stop alarm ${TWIN_STOP_ALARM} in ALARM (test): every fault was healed at once`);
    expect(abortedRun.code).toBe(1);
    const abortJournal = readFileSync(join(runsDir, "latest", "aws-journal.jsonl"), "utf8");
    expect(abortJournal.match(/"operation":"SendCommand","mutating":true,"outcome":"ok"/g)).toHaveLength(2);

    expect(await interrupt(up)).toBe(0);
    expect(existsSync(dir)).toBe(false);
  }, 600_000);
});
