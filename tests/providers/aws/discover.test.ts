import { readFileSync, writeFileSync } from "node:fs";
import { CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { describe, expect, it } from "vitest";
import { loadTarget } from "../../../harness/config/index.ts";
import { resolveTargetFile } from "../../../harness/providers/index.ts";
import { gauntlet } from "../../support/cli.ts";
import { awsTargetFile, GATEWAY, REGION, SERVICES, seedWorld, useMoto } from "./support/moto.ts";

const moto = useMoto();

describe("gauntlet discover against moto", () => {
  it("finds the 5 instances over 3 AZs, the NLB's healthy targets and 23 ECS services with their tasks, and writes the plain target", async () => {
    const world = await seedWorld(moto);
    const file = awsTargetFile(moto, "prod");
    const resolvedFile = `${moto.dir()}/resolved.yaml`;
    const json = await gauntlet(["discover", "--target", file, "--json", "--write", resolvedFile]);
    expect(json.stderr).not.toMatch(/✖/);
    expect(json.code).toBe(0);
    const found = JSON.parse(json.stdout) as {
      system: {
        instances: { id: string; az: string; privateIp: string; lifecycle: string }[];
        nlb: { targetGroups: { targets: { id: string; health: string }[] }[] };
        ecs: { services: { name: string; desired: number; running: number; tasks: { id: string }[] }[] };
      };
      resolved: { servers: string[]; notContacted: string[] };
    };
    const { instances, nlb, ecs } = found.system;
    expect(instances.map((i) => i.id).sort()).toEqual([...world.instanceIds].sort());
    expect(new Set(instances.map((i) => i.az))).toEqual(new Set([`${REGION}a`, `${REGION}b`, `${REGION}c`]));
    expect(instances.every((i) => i.privateIp.startsWith("127.") && i.lifecycle === "InService")).toBe(true);
    expect(nlb.targetGroups[0]?.targets.map((t) => t.id).sort()).toEqual([...world.instanceIds].sort());
    expect(ecs.services.map((s) => s.name).sort()).toEqual([...SERVICES, GATEWAY].sort());
    expect(ecs.services.every((s) => s.desired === 2 && s.running === 2 && s.tasks.length === 2)).toBe(true);
    // moto gives task ENIs 10.x addresses: listed, never contacted nor written.
    expect(found.resolved.notContacted).toHaveLength(2);
    const resolved = await loadTarget(resolvedFile);
    expect(resolved.nats.servers).toEqual(instances.map((i) => `nats://${i.privateIp}:4222`));
    expect(resolved.nats.monitoring).toHaveLength(5);
    expect(resolved.gateway).toBeUndefined();
    expect(resolved.expect.nodes).toBe(5);

    const table = await gauntlet(["discover", "--target", file]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Auto Scaling group nats-prod: desired 5/);
    expect(table.stdout).toMatch(/ECS cluster prod: 23 services/);
    expect(table.stdout).toMatch(/not contacted http:\/\/10\./);
  }, 240_000);

  it("resolves an aws target for every --target command, with gateway.urls given by hand", async () => {
    await seedWorld(moto, { services: ["one-nats"] });
    const file = awsTargetFile(moto, "by-hand", { extra: "gateway:\n  urls: [http://127.0.0.1:8080]\n" });
    const target = await resolveTargetFile(file);
    expect(target.nats.servers).toHaveLength(5);
    expect(target.gateway?.urls).toEqual(["http://127.0.0.1:8080"]);
    expect(target.aws?.safety.allow_tags).toEqual({ "gauntlet:chaos": "allowed" });
  });

  it("refuses an instance whose private IP is outside 127.0.0.0/8 before contacting anything", async () => {
    const ec2 = moto.admin().ec2;
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc?.VpcId, CidrBlock: "10.0.1.0/24" }));
    const image = (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId;
    await ec2.send(
      new RunInstancesCommand({
        ImageId: image,
        MinCount: 1,
        MaxCount: 1,
        SubnetId: subnet.Subnet?.SubnetId,
        TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Role", Value: "nats" }] }],
      }),
    );
    const file = awsTargetFile(moto, "elsewhere");
    const byTags = readFileSync(file, "utf8").replace("nats: { asg: nats-prod }", "nats: { tags: { Role: nats } }");
    writeFileSync(file, byTags.replace(/ {2}nlb:.*\n {2}ecs:.*\n/, ""));
    const result = await gauntlet(["discover", "--target", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/address 10\.0\.1\.\d+, outside 127\.0\.0\.0\/8/);
  });

  it("names a missing Auto Scaling group and a bad aws section as file:field: problem", async () => {
    const missing = awsTargetFile(moto, "missing");
    const result = await gauntlet(["discover", "--target", missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${missing}:aws.nats.asg: Auto Scaling group "nats-prod" not found`);
    const bad = `${moto.dir()}/bad.yaml`;
    writeFileSync(bad, "aws:\n  region: eu-west-1\n  nats: { client_port: 4222 }\n");
    const invalid = await gauntlet(["discover", "--target", bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`${bad}:aws.nats.asg: name the NATS nodes by asg or by tags (one of them)`);
  });
});
