import { AttachInstancesCommand, CreateAutoScalingGroupCommand, UpdateAutoScalingGroupCommand } from "@aws-sdk/client-auto-scaling";
import { PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateLaunchTemplateCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  ModifyVpcAttributeCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsClients } from "./aws-clients.ts";

export interface WorldOptions {
  readonly region: string;
  readonly nodes?: number;
  /** ECS service names (22 in production), each with `tasksPerService` tasks. */
  readonly services: readonly string[];
  readonly tasksPerService?: number;
  readonly gatewayService?: string;
  /** Tags on every instance and service (the safety allow-list's). */
  readonly tags?: Readonly<Record<string, string>>;
  readonly alarms?: readonly string[];
  /** The VPC is 127.N.0.0/16 (default: N random in 1–254), so worlds side by side get different loopback IPs. */
  readonly octet?: number;
}

export interface World {
  readonly asg: string;
  readonly nlb: string;
  readonly cluster: string;
  readonly targetGroupArn: string;
  readonly subnets: readonly string[];
  readonly securityGroup: string;
  readonly instanceIds: readonly string[];
}

export const WORLD_NAMES = { asg: "nats-prod", nlb: "nats-prod-nlb", cluster: "prod", targetGroup: "nats-prod-4222" } as const;

const tagList = (tags: Readonly<Record<string, string>>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/**
 * The seed's production system, built in an emulator: a 5-instance Auto Scaling group in a VPC of
 * 127.N.0.0/16 (so every private IP is loopback) over three AZs, an NLB whose target group holds the
 * instances, an ECS cluster whose services have their tasks (moto's services start none: RunTask
 * with `group: service:NAME`), and the stop alarms. Used by the tests and by the AWS twin.
 */
export async function buildEmulatedWorld(clients: AwsClients, options: WorldOptions): Promise<World> {
  const tags = options.tags ?? {};
  const nodes = options.nodes ?? 5;
  const { ec2, autoScaling, elb, ecs, cloudWatch } = clients;
  const octet = options.octet ?? 1 + Math.floor(Math.random() * 254);
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: `127.${octet}.0.0/16` }));
  const vpcId = vpc.Vpc?.VpcId as string;
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const subnets: string[] = [];
  for (const [index, zone] of ["a", "b", "c"].entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `127.${octet}.${index + 1}.0/24`, AvailabilityZone: `${options.region}${zone}` }),
    );
    subnets.push(subnet.Subnet?.SubnetId as string);
  }
  const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "nats", Description: "nats cluster", VpcId: vpcId }));
  const securityGroup = group.GroupId as string;
  const images = await ec2.send(new DescribeImagesCommand({}));
  const imageId = images.Images?.[0]?.ImageId as string;
  await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: "nats",
      LaunchTemplateData: { ImageId: imageId, InstanceType: "m5.large", SecurityGroupIds: [securityGroup] },
    }),
  );
  await autoScaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: WORLD_NAMES.asg,
      LaunchTemplate: { LaunchTemplateName: "nats", Version: "$Latest" },
      MinSize: 0,
      MaxSize: nodes * 2,
      DesiredCapacity: 0,
      VPCZoneIdentifier: subnets.join(","),
      Tags: tagList({ Role: "nats", ...tags }).map((tag) => ({ ...tag, PropagateAtLaunch: true })),
    }),
  );
  // moto's group launches every instance in its first subnet: launch them over the AZs and attach them.
  const instanceIds: string[] = [];
  for (let index = 0; index < nodes; index += 1) {
    const launched = await ec2.send(
      new RunInstancesCommand({
        LaunchTemplate: { LaunchTemplateName: "nats" },
        SubnetId: subnets[index % subnets.length],
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: "instance", Tags: tagList({ Role: "nats", Name: `nats-${index + 1}`, ...tags }) }],
      }),
    );
    instanceIds.push(launched.Instances?.[0]?.InstanceId as string);
  }
  await autoScaling.send(new AttachInstancesCommand({ AutoScalingGroupName: WORLD_NAMES.asg, InstanceIds: instanceIds }));
  await autoScaling.send(
    new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: WORLD_NAMES.asg, MinSize: nodes, DesiredCapacity: nodes }),
  );
  const nlb = await elb.send(
    new CreateLoadBalancerCommand({ Name: WORLD_NAMES.nlb, Type: "network", Subnets: subnets, Scheme: "internal" }),
  );
  const nlbArn = nlb.LoadBalancers?.[0]?.LoadBalancerArn as string;
  const targetGroup = await elb.send(
    new CreateTargetGroupCommand({ Name: WORLD_NAMES.targetGroup, Protocol: "TCP", Port: 4222, VpcId: vpcId, TargetType: "instance" }),
  );
  const targetGroupArn = targetGroup.TargetGroups?.[0]?.TargetGroupArn as string;
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: targetGroupArn, Targets: instanceIds.map((Id) => ({ Id, Port: 4222 })) }));
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: nlbArn,
      Protocol: "TCP",
      Port: 4222,
      DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
    }),
  );
  // moto moves a load balancer from provisioning to active on its first describe: do it now, as AWS would by itself.
  await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [nlbArn] }));
  await ecs.send(new CreateClusterCommand({ clusterName: WORLD_NAMES.cluster }));
  const services = [...options.services, ...(options.gatewayService ? [options.gatewayService] : [])];
  const network = { awsvpcConfiguration: { subnets, securityGroups: [securityGroup] } };
  const tasks = options.tasksPerService ?? 2;
  const ecsTags = tagList(tags).map(({ Key, Value }) => ({ key: Key, value: Value }));
  await Promise.all(
    services.map(async (name) => {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: name,
          networkMode: "awsvpc",
          containerDefinitions: [{ name, image: `bodybroker-services/${name}:latest`, memory: 512 }],
        }),
      );
      const placement = {
        cluster: WORLD_NAMES.cluster,
        taskDefinition: name,
        launchType: "FARGATE" as const,
        networkConfiguration: network,
      };
      await ecs.send(new CreateServiceCommand({ ...placement, serviceName: name, desiredCount: tasks, tags: ecsTags }));
      await ecs.send(new RunTaskCommand({ ...placement, count: tasks, group: `service:${name}`, tags: ecsTags }));
    }),
  );
  for (const alarm of options.alarms ?? []) {
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm,
        MetricName: alarm,
        Namespace: "Gauntlet",
        Statistic: "Maximum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanThreshold",
      }),
    );
    await cloudWatch.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: "OK", StateReason: "seeded" }));
  }
  return { asg: WORLD_NAMES.asg, nlb: WORLD_NAMES.nlb, cluster: WORLD_NAMES.cluster, targetGroupArn, subnets, securityGroup, instanceIds };
}
