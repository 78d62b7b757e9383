import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, ModifyVpcAttributeCommand } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ECS_AGENT_STARTED_BY, EcsAgents } from "../../harness/load/agents/ecs-agents.ts";
import { agentFleet, LoadAgent, type StartedLoadAgent } from "../../harness/load/agents/index.ts";
import { runLoad } from "../../harness/load/index.ts";
import { AwsClients, MotoServer } from "../../harness/providers/aws/index.ts";
import { awsTargetFile, seedWorld, useMoto } from "../providers/aws/support/moto.ts";
import { gauntlet, httpServer, type TestServer } from "./support.ts";

const REGION = "eu-west-1";
const CLUSTER = "load";
const TOKEN = "an-ecs-agent-token-0123456789";
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/**
 * ECS agents against moto: the control plane (RegisterTaskDefinition, RunTask, DescribeTasks, StopTask) is
 * moto's; moto runs no container and gives tasks 10.x addresses, which a test never contacts, so each task's
 * agent is a real agent on loopback that `reach` points at.
 */
describe("load agents as ECS tasks (moto)", () => {
  let moto: MotoServer;
  let clients: AwsClients;
  let echo: TestServer;
  let agents: StartedLoadAgent[] = [];
  let network: { subnets: string[]; securityGroups: string[] };

  beforeAll(async () => {
    moto = await MotoServer.start();
    clients = new AwsClients({ region: REGION, endpoint: moto.endpoint, execute: true });
    echo = await httpServer((_req, res) => res.end("ok"));
  }, 120_000);

  afterAll(async () => {
    clients?.destroy();
    await Promise.all([moto?.stop(), echo?.close(), ...agents.map((a) => a.stop())]);
  });

  beforeEach(async () => {
    await moto.reset();
    // Tasks stay RUNNING until stopped, as on ECS (moto otherwise winds them down on every DescribeTasks).
    await moto.manualTaskTransitions();
    await Promise.all(agents.map((a) => a.stop()));
    agents = await Promise.all([0, 1].map(() => new LoadAgent(TOKEN).withWorkers(1).listen("127.0.0.1", 0)));
    const vpc = await clients.ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    // moto names a task's network interface only in a VPC with DNS hostnames on.
    await clients.ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.Vpc?.VpcId, EnableDnsHostnames: { Value: true } }));
    const subnet = await clients.ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc?.VpcId, CidrBlock: "10.0.1.0/24" }));
    const group = await clients.ec2.send(
      new CreateSecurityGroupCommand({ GroupName: "agents", Description: "load agents", VpcId: vpc.Vpc?.VpcId }),
    );
    network = { subnets: [subnet.Subnet?.SubnetId as string], securityGroups: [group.GroupId as string] };
    await clients.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  });

  const ecsAgents = (overrides: { reach?: (task: { id: string }, index: number) => string; timeoutMs?: number } = {}) =>
    new EcsAgents({
      clients,
      cluster: CLUSTER,
      image: "registry.example/gauntlet:latest",
      count: 2,
      ...network,
      token: TOKEN,
      reach: (_task, index) => agents[index]?.url ?? "",
      ...overrides,
    });

  async function runningAgentTasks(): Promise<string[]> {
    const listed = await clients.ecs.send(
      new ListTasksCommand({ cluster: CLUSTER, startedBy: ECS_AGENT_STARTED_BY, desiredStatus: "RUNNING" }),
    );
    return listed.taskArns ?? [];
  }

  const mutatingCalls = () => clients.journal.mutatingCalls.map((c) => c.operation);

  it("runs the load on ECS tasks from a task definition of the image, and stops every task at the end", async () => {
    const started = await ecsAgents().start();
    expect(started.taskArns).toHaveLength(2);
    expect(await runningAgentTasks()).toHaveLength(2);
    try {
      const result = await runLoad({
        scenario: fixture("agents-tagged.ts"),
        target: {},
        env: { URL: echo.url },
        rate: 20,
        duration: 1000,
        progress: false,
        generators: agentFleet(started.endpoints),
      });
      expect(result.exitCode).toBe(0);
      expect(result.agents?.map((a) => [a.name, a.share])).toEqual(started.taskArns.map((arn) => [arn.split("/").pop(), 0.5]));
    } finally {
      await started.stop();
    }
    expect(await runningAgentTasks()).toEqual([]);
    const described = await clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: started.taskArns }));
    expect(described.tasks?.map((t) => t.desiredStatus)).toEqual(["STOPPED", "STOPPED"]);
    expect(
      mutatingCalls().filter(
        (op) => !["CreateVpc", "ModifyVpcAttribute", "CreateSubnet", "CreateSecurityGroup", "CreateCluster"].includes(op),
      ),
    ).toEqual(["RegisterTaskDefinition", "RunTask", "StopTask", "StopTask", "DeregisterTaskDefinition"]);
  });

  it("stops every task after an abortOnFail abort", async () => {
    await using failing = await httpServer((_req, res) => {
      res.statusCode = 503;
      res.end();
    });
    await using started = await ecsAgents().start();
    const result = await runLoad({
      scenario: fixture("abort-on-fail.ts"),
      target: {},
      env: { URL: failing.url },
      progress: false,
      generators: agentFleet(started.endpoints),
    });
    expect(result.aborted).toMatch(/abortOnFail/);
    await started.stop("aborted");
    expect(await runningAgentTasks()).toEqual([]);
  });

  it("stops the tasks it ran when their agents never answer, and says which", async () => {
    await expect(ecsAgents({ reach: () => "ws://127.0.0.1:1", timeoutMs: 1500 }).start()).rejects.toThrow(
      /load agent .+ \(http:\/\/127\.0\.0\.1:1\/healthz\) did not answer within 1\.5s/,
    );
    expect(await runningAgentTasks()).toEqual([]);
    expect(mutatingCalls().slice(-4)).toEqual(["RunTask", "StopTask", "StopTask", "DeregisterTaskDefinition"]);
  });

  it("will not contact a task outside 127.0.0.0/8 through an emulator", async () => {
    await expect(ecsAgents({ reach: undefined }).start()).rejects.toThrow(
      /outside 127\.0\.0\.0\/8; an emulator target .* never contacts it/,
    );
    expect(await runningAgentTasks()).toEqual([]);
  });
});

describe("gauntlet load --agents ecs:N (moto)", () => {
  const moto = useMoto();

  it("runs its agent tasks in the target's cluster and network, and stops them when it cannot reach them", async () => {
    const world = await seedWorld(moto, { services: ["story-teller"] });
    const target = awsTargetFile(moto, "agents");
    const run = await gauntlet([
      "load",
      fixture("agents-tagged.ts"),
      "--target",
      target,
      "--agents",
      "ecs:2",
      "--agent-image",
      "gauntlet:test",
    ]);
    // moto gives tasks 10.x addresses, which an emulator target never contacts: the run cannot start.
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/load agent task .+ has address 10\.\d+\.\d+\.\d+, outside 127\.0\.0\.0\/8/);
    const admin = moto.admin();
    const listed = await admin.ecs.send(new ListTasksCommand({ cluster: world.cluster, startedBy: ECS_AGENT_STARTED_BY }));
    expect(listed.taskArns).toHaveLength(2);
    const described = await admin.ecs.send(new DescribeTasksCommand({ cluster: world.cluster, tasks: listed.taskArns }));
    for (const task of described.tasks ?? []) {
      expect(task.desiredStatus).toBe("STOPPED");
      expect(task.attachments?.[0]?.details?.find((d) => d.name === "subnetId")?.value).toBe(world.subnets[0]);
    }
    const running = await admin.ecs.send(
      new ListTasksCommand({ cluster: world.cluster, startedBy: ECS_AGENT_STARTED_BY, desiredStatus: "RUNNING" }),
    );
    expect(running.taskArns).toEqual([]);
  });
});
