import { AttachInstancesCommand, DetachInstancesCommand } from "@aws-sdk/client-auto-scaling";
import { RunInstancesCommand } from "@aws-sdk/client-ec2";
import { StopTaskCommand } from "@aws-sdk/client-ecs";
import { DeregisterTargetsCommand, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, describe, expect, it } from "vitest";
import type { StartedLocalCluster } from "../../../harness/providers/local/index.ts";
import { gauntlet } from "../../support/cli.ts";
import { dataPlanePorts, startNodesOn } from "./support/data-plane.ts";
import { awsTargetFile, seedWorld, useMoto } from "./support/moto.ts";

const moto = useMoto();
const clusters: StartedLocalCluster[] = [];
afterAll(async () => {
  await Promise.all(clusters.map((cluster) => cluster.stop()));
});

const line = (output: string, check: string) => output.split("\n").find((text) => text.startsWith(check)) ?? `(no ${check} line)`;

describe("gauntlet doctor on an aws target (moto control plane, nats-server on the instances' loopback IPs)", () => {
  it("passes a healthy world, then names the extra instance, the deregistered target and the service at 1 of 2", async () => {
    const world = await seedWorld(moto, { services: ["alpha-nats", "beta-nats"] });
    const { admin } = moto;
    const ports = await dataPlanePorts();
    const file = awsTargetFile(moto, "doctor", { ports });
    const discovered = JSON.parse((await gauntlet(["discover", "--target", file, "--json"])).stdout) as {
      system: { instances: { id: string; privateIp: string }[] };
    };
    const ips = discovered.system.instances.map((instance) => instance.privateIp);
    clusters.push(await startNodesOn(ips, ports));

    const healthy = await gauntlet(["doctor", "--target", file]);
    expect(healthy.stdout).toMatch(/Verdict: HEALTHY/);
    expect(healthy.code).toBe(0);
    expect(line(healthy.stdout, "ASG = NATS cluster")).toMatch(/pass\s+5 instances, 5 routed peers, cluster_size 5/);
    expect(line(healthy.stdout, "NLB targets")).toMatch(/pass/);
    expect(line(healthy.stdout, "AZ spread")).toMatch(/pass\s+eu-west-1a: 2, eu-west-1b: 2, eu-west-1c: 1/);
    expect(line(healthy.stdout, "TLS (AWS)")).toMatch(/info\s+5 of 5 nodes accept clients without TLS/);
    expect(line(healthy.stdout, "monitoring exposure")).toMatch(/warn/);

    // The seed's "no cluster discovery": the ASG gets a sixth instance whose nats-server never joins the routes.
    const launched = await admin().ec2.send(
      new RunInstancesCommand({ LaunchTemplate: { LaunchTemplateName: "nats" }, SubnetId: world.subnets[2], MinCount: 1, MaxCount: 1 }),
    );
    const extra = launched.Instances?.[0];
    const extraId = extra?.InstanceId as string;
    await admin().autoScaling.send(new AttachInstancesCommand({ AutoScalingGroupName: world.asg, InstanceIds: [extraId] }));
    await admin().elb.send(new RegisterTargetsCommand({ TargetGroupArn: world.targetGroupArn, Targets: [{ Id: extraId, Port: 4222 }] }));
    const island = await startNodesOn([extra?.PrivateIpAddress as string], ports);
    clusters.push(island);
    const withIsland = await gauntlet(["doctor", "--target", file]);
    expect(withIsland.code).toBe(1);
    expect(line(withIsland.stdout, "ASG = NATS cluster")).toContain(
      `${extraId} (${extraId}, eu-west-1c, ${extra?.PrivateIpAddress}): island`,
    );
    expect(line(withIsland.stdout, "ASG = NATS cluster")).toContain("5 node(s) routed together, the ASG wants 6");
    await island.stop();
    await admin().autoScaling.send(
      new DetachInstancesCommand({ AutoScalingGroupName: world.asg, InstanceIds: [extraId], ShouldDecrementDesiredCapacity: true }),
    );
    await admin().elb.send(new DeregisterTargetsCommand({ TargetGroupArn: world.targetGroupArn, Targets: [{ Id: extraId, Port: 4222 }] }));

    const [first] = world.instanceIds as [string];
    await admin().elb.send(new DeregisterTargetsCommand({ TargetGroupArn: world.targetGroupArn, Targets: [{ Id: first, Port: 4222 }] }));
    const deregistered = await gauntlet(["doctor", "--target", file]);
    expect(deregistered.code).toBe(1);
    expect(line(deregistered.stdout, "NLB targets")).toMatch(new RegExp(`FAIL.*${first} \\(nats-1, .*\\) is not registered`));
    await admin().elb.send(new RegisterTargetsCommand({ TargetGroupArn: world.targetGroupArn, Targets: [{ Id: first, Port: 4222 }] }));

    const tasks = JSON.parse((await gauntlet(["discover", "--target", file, "--json"])).stdout) as {
      system: { ecs: { services: { name: string; tasks: { arn: string }[] }[] } };
    };
    const beta = tasks.system.ecs.services.find((service) => service.name === "beta-nats");
    await admin().ecs.send(new StopTaskCommand({ cluster: world.cluster, task: beta?.tasks[0]?.arn, reason: "test" }));
    const halfService = await gauntlet(["doctor", "--target", file]);
    expect(halfService.code).toBe(1);
    expect(line(halfService.stdout, "ECS services")).toMatch(/FAIL\s+beta-nats: 1 of 2 running/);
    expect(line(halfService.stdout, "ASG = NATS cluster")).toMatch(/pass/);
  }, 240_000);
});
