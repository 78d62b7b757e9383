import { SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeInstancesCommand } from "@aws-sdk/client-ec2";
import { DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { ListCommandsCommand } from "@aws-sdk/client-ssm";
import { describe, expect, it } from "vitest";
import { readTargetFile } from "../../../harness/config/index.ts";
import { AwsFaults, type AwsTarget, Journal, openAwsTarget } from "../../../harness/providers/aws/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { gauntlet } from "../../support/cli.ts";
import { ALARMS, awsTargetFile, seedWorld, stateDifferences, useMoto } from "./support/moto.ts";

const moto = useMoto();

async function open(name: string, options: { execute: boolean; allowTags?: string }): Promise<AwsTarget> {
  const file = awsTargetFile(moto, name, options.allowTags === undefined ? {} : { allowTags: options.allowTags });
  return openAwsTarget(file, await readTargetFile(file), { execute: options.execute, journal: new Journal() });
}

async function commandsSent(): Promise<{ commands: string[] }[]> {
  const listed = await moto.admin().ssm.send(new ListCommandsCommand({}));
  return (listed.Commands ?? []).map((command) => ({
    instance: command.InstanceIds?.[0] ?? "",
    commands: command.Parameters?.commands ?? [],
  }));
}

async function instanceState(id: string): Promise<string | undefined> {
  const found = await moto.admin().ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return found.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

describe("AWS faults behind the node and replica handles (moto)", () => {
  it("kill and start go through SSM Run Command, the kill with its own dead-man heal; every call journaled with its request id", async () => {
    await seedWorld(moto, { services: ["alpha-nats"] });
    using aws = await open("kill", { execute: true });
    const faults = new AwsFaults(aws, { deadManSeconds: 75 });
    const [node] = faults.nodes;
    await node?.kill();
    expect(node?.running).toBe(false);
    await node?.start();
    const sent = await commandsSent();
    // moto files a command under every instance; the instance it is for travels in its first line.
    const id = node?.instance.id;
    expect(sent.map((command) => command.commands[0])).toEqual([`# gauntlet:kill instance=${id}`, `# gauntlet:start instance=${id}`]);
    expect(sent[0]?.commands.slice(1)).toEqual([
      "pkill -KILL -x nats-server",
      "systemd-run --unit=gauntlet-heal --on-active=75s /bin/sh -c 'systemctl start nats-server'",
    ]);
    expect(sent[1]?.commands.at(-1)).toBe("systemctl start nats-server");
    const mutating = aws.clients.journal.mutatingCalls;
    expect(mutating.map((entry) => `${entry.service}.${entry.operation} ${entry.outcome}`)).toEqual([
      "ssm.SendCommand ok",
      "ssm.SendCommand ok",
    ]);
    expect(mutating.every((entry) => (entry.requestId ?? "").length > 0)).toBe(true);
  });

  it("EC2 stop, start, reboot and terminate, and ECS StopTask, change exactly their resource in moto", async () => {
    await seedWorld(moto, { services: ["alpha-nats"] });
    using aws = await open("ec2", { execute: true });
    const faults = new AwsFaults(aws);
    const [first, second] = faults.nodes;
    await first?.stop();
    expect(await instanceState(first?.instance.id ?? "")).toBe("stopped");
    await first?.start();
    expect(await instanceState(first?.instance.id ?? "")).toMatch(/pending|running/);
    await second?.reboot();
    await second?.terminate(2_000);
    expect(await instanceState(second?.instance.id ?? "")).toBe("terminated");
    const untouched = faults.nodes.slice(2).map((node) => node.instance.id);
    for (const id of untouched) expect(await instanceState(id)).toBe("running");

    const [replica] = faults.services;
    await replica?.kill();
    const [, taskId] = (replica?.name ?? "").split("/");
    const arn = aws.system.ecs?.services.flatMap((service) => service.tasks).find((task) => task.id === taskId)?.arn;
    const tasks = await moto.admin().ecs.send(new DescribeTasksCommand({ cluster: "prod", tasks: [arn ?? ""] }));
    expect(tasks.tasks?.[0]?.desiredStatus).toBe("STOPPED");
    expect(aws.clients.journal.mutatingCalls.map((entry) => entry.operation)).toEqual([
      "StopInstances",
      "StartInstances",
      "RebootInstances",
      "TerminateInstances",
      "StopTask",
    ]);
  });

  it("a dry run plans every call and makes none: moto's state is the same before and after", async () => {
    await seedWorld(moto, { services: ["alpha-nats"] });
    using aws = await open("dry", { execute: false });
    const faults = new AwsFaults(aws);
    const before = await moto.server().state();
    const [first] = faults.nodes;
    await first?.kill();
    await first?.start();
    await faults.network.partition([[faults.nodes[0]?.name ?? ""]]);
    await faults.network.heal();
    await faults.services[0]?.kill();
    await faults.scaleService("alpha-nats", 1).then((back) => back());
    expect(stateDifferences(before, await moto.server().state())).toEqual([]);
    expect(aws.clients.journal.mutatingCalls).toEqual([]);
    expect(faults.plan.map((call) => `${call.service}.${call.operation}`)).toEqual([
      "ssm.SendCommand",
      "ssm.SendCommand",
      ...Array(5).fill("ssm.SendCommand"),
      ...Array(5).fill("ssm.SendCommand"),
      "ecs.StopTask",
      "ecs.UpdateService",
      "ecs.UpdateService",
    ]);
    expect(faults.plan[0]?.detail).toContain("pkill -KILL -x nats-server");
    expect(faults.plan[2]?.detail).toMatch(/iptables -I INPUT -s 127\.\d+\.\d+\.\d+ -j DROP/);
  });

  it("refuses a resource without the allow-list tags, and a fault past the blast radius, before any call", async () => {
    await seedWorld(moto, { services: ["alpha-nats"] });
    using others = await open("others", { execute: true, allowTags: "{ team: chaos }" });
    const refused = new AwsFaults(others);
    await expect(refused.nodes[0]?.kill()).rejects.toThrow(/does not carry the allow-list tags \(team=chaos\): refused before any call/);
    await expect(refused.services[0]?.kill()).rejects.toThrow(/allow-list/);

    using aws = await open("tags", { execute: true });
    const faults = new AwsFaults(aws);
    await faults.nodes[0]?.kill();
    await expect(faults.nodes[1]?.kill()).rejects.toThrow(
      /blast radius: taking .* down leaves stream \(any R3 stream\) \(R3 on .*\) with 1 of 3 replicas running; it needs 2/,
    );
    await expect(faults.network.partition([[faults.nodes[1]?.name ?? ""]])).rejects.toThrow(/blast radius/);
    await faults.services[0]?.kill();
    await expect(faults.services[1]?.kill()).rejects.toThrow(
      /blast radius: stopping task .* makes 2 of alpha-nats's 2 replicas down \(at most 1\)/,
    );
    expect(others.clients.journal.mutatingCalls).toEqual([]);
    expect(aws.clients.journal.mutatingCalls.map((entry) => entry.operation)).toEqual(["SendCommand", "StopTask"]);
  });

  it("a stop alarm going to ALARM mid-fault heals at once and blocks the next fault", async () => {
    await seedWorld(moto, { services: ["alpha-nats"] });
    using aws = await open("alarm", { execute: true });
    let abortedWith: string | undefined;
    const faults = new AwsFaults(aws, {
      alarmIntervalMs: 100,
      onAbort: (reason) => {
        abortedWith = reason;
      },
    });
    faults.watchAlarms();
    const [node] = faults.nodes;
    await node?.kill();
    await moto
      .admin()
      .cloudWatch.send(new SetAlarmStateCommand({ AlarmName: ALARMS[0], StateValue: "ALARM", StateReason: "p99 over 200 ms" }));
    await waitUntil(async () => abortedWith, { timeoutMs: 10_000, what: "the stop alarm to abort" });
    expect(abortedWith).toBe(`stop alarm ${ALARMS[0]} in ALARM (p99 over 200 ms)`);
    expect(node?.running).toBe(true);
    const sent = await commandsSent();
    expect(sent.map((command) => command.commands[0]?.split(" ")[1])).toEqual(["gauntlet:kill", "gauntlet:start"]);
    await expect(faults.nodes[1]?.pause()).rejects.toThrow(/aborted \(stop alarm/);
    faults.stopWatching();
  });

  it("gauntlet chaos on an aws target without --execute prints the plan, makes no mutating call, and --execute wants a confirmation", async () => {
    await seedWorld(moto, { services: ["alpha-nats"] });
    const file = awsTargetFile(moto, "chaos-dry");
    const before = await moto.server().state();
    const dry = await gauntlet(["chaos", "kill-node", "--target", file, "--seed", "7"]);
    expect(dry.stderr).not.toMatch(/✖/);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/DRY RUN against chaos-dry \(eu-west-1, account 123456789012\)/);
    expect(dry.stdout).toMatch(
      /ssm\.SendCommand i-\w+ \(nats-\d; Role=nats, Name=nats-\d, gauntlet:chaos=allowed\): AWS-RunShellScript: pkill -KILL -x nats-server; systemd-run/,
    );
    expect(dry.stdout).toMatch(/ssm\.SendCommand i-\w+ .*systemctl start nats-server/);
    expect(dry.stdout).toMatch(/, 0 mutating\./);
    const again = await gauntlet(["chaos", "kill-node", "--target", file, "--seed", "7"]);
    expect(again.stdout.match(/i-\w+/g)).toEqual(dry.stdout.match(/i-\w+/g));
    expect(stateDifferences(before, await moto.server().state())).toEqual([]);

    const unconfirmed = await gauntlet(["chaos", "kill-node", "--target", file, "--execute"]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("--execute against chaos-dry needs a confirmation: run it in a terminal, or pass --yes (CI)");
    expect(stateDifferences(before, await moto.server().state())).toEqual([]);
  }, 240_000);
});
