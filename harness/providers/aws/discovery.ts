import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { DescribeInstancesCommand, type Instance } from "@aws-sdk/client-ec2";
import { DescribeServicesCommand, DescribeTasksCommand, ListServicesCommand, ListTasksCommand, type Task } from "@aws-sdk/client-ecs";
import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AwsTargetSection } from "../../config/aws-target.ts";
import type { AwsClients } from "./aws-clients.ts";
import { AwsError } from "./aws-error.ts";

export type Tags = Readonly<Record<string, string>>;

export interface DiscoveredInstance {
  readonly id: string;
  readonly name: string;
  readonly az: string;
  readonly state: string;
  readonly privateIp: string | undefined;
  readonly tags: Tags;
  /** The Auto Scaling group's view: InService, Pending, Terminating…; undefined when found by tags. */
  readonly lifecycle: string | undefined;
}

export interface DiscoveredTarget {
  readonly id: string;
  readonly port: number | undefined;
  readonly health: string;
  readonly reason: string | undefined;
}

export interface DiscoveredTargetGroup {
  readonly arn: string;
  readonly name: string;
  readonly port: number | undefined;
  readonly targets: readonly DiscoveredTarget[];
}

export interface DiscoveredTask {
  readonly id: string;
  readonly arn: string;
  readonly lastStatus: string;
  readonly desiredStatus: string;
  readonly privateIp: string | undefined;
  readonly tags: Tags;
}

export interface DiscoveredService {
  readonly name: string;
  readonly arn: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly tasks: readonly DiscoveredTask[];
  readonly tags: Tags;
}

export interface DiscoveredSystem {
  readonly region: string;
  readonly accountId: string | undefined;
  readonly asg: { readonly name: string; readonly desired: number; readonly min: number; readonly max: number } | undefined;
  readonly instances: readonly DiscoveredInstance[];
  readonly nlb:
    | { readonly name: string; readonly arn: string; readonly dns: string; readonly targetGroups: readonly DiscoveredTargetGroup[] }
    | undefined;
  readonly ecs:
    | { readonly cluster: string; readonly services: readonly DiscoveredService[]; readonly gatewayService: string | undefined }
    | undefined;
}

const tagsOf = (tags: readonly { Key?: string | undefined; Value?: string | undefined }[] | undefined): Tags =>
  Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? "", tag.Value ?? ""]));

const ecsTagsOf = (tags: readonly { key?: string | undefined; value?: string | undefined }[] | undefined): Tags =>
  Object.fromEntries((tags ?? []).map((tag) => [tag.key ?? "", tag.value ?? ""]));

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

async function describeInstances(
  clients: AwsClients,
  filter: { ids: readonly string[] } | { tags: Tags },
): Promise<{ instances: Instance[]; accountId: string | undefined }> {
  const instances: Instance[] = [];
  let accountId: string | undefined;
  let NextToken: string | undefined;
  do {
    const input =
      "ids" in filter
        ? { InstanceIds: [...filter.ids] }
        : {
            Filters: [
              ...Object.entries(filter.tags).map(([key, value]) => ({ Name: `tag:${key}`, Values: [value] })),
              { Name: "instance-state-name", Values: ["pending", "running", "stopping", "stopped"] },
            ],
          };
    const page = await clients.ec2.send(new DescribeInstancesCommand({ ...input, NextToken }));
    for (const reservation of page.Reservations ?? []) {
      accountId ??= reservation.OwnerId;
      instances.push(...(reservation.Instances ?? []));
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return { instances, accountId };
}

async function discoverNodes(clients: AwsClients, section: AwsTargetSection, file: string) {
  let asg: DiscoveredSystem["asg"];
  const lifecycle = new Map<string, string>();
  let filter: { ids: readonly string[] } | { tags: Tags };
  if (section.nats.asg !== undefined) {
    const groups = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [section.nats.asg] }));
    const group = groups.AutoScalingGroups?.[0];
    if (!group) throw AwsError.notFound(file, "aws.nats.asg", `Auto Scaling group "${section.nats.asg}"`);
    asg = { name: section.nats.asg, desired: group.DesiredCapacity ?? 0, min: group.MinSize ?? 0, max: group.MaxSize ?? 0 };
    for (const instance of group.Instances ?? []) lifecycle.set(instance.InstanceId ?? "", instance.LifecycleState ?? "?");
    filter = { ids: [...lifecycle.keys()] };
  } else {
    filter = { tags: section.nats.tags ?? {} };
  }
  const { instances, accountId } =
    "ids" in filter && filter.ids.length === 0 ? { instances: [], accountId: undefined } : await describeInstances(clients, filter);
  const discovered = instances
    .map((instance): DiscoveredInstance => {
      const tags = tagsOf(instance.Tags);
      const id = instance.InstanceId ?? "?";
      return {
        id,
        name: tags.Name ?? id,
        az: instance.Placement?.AvailabilityZone ?? "?",
        state: instance.State?.Name ?? "?",
        privateIp: instance.PrivateIpAddress,
        tags,
        lifecycle: lifecycle.get(id),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { asg, instances: discovered, accountId };
}

async function discoverNlb(clients: AwsClients, nlb: string, file: string): Promise<DiscoveredSystem["nlb"]> {
  const byArn = nlb.startsWith("arn:");
  const found = await clients.elb
    .send(new DescribeLoadBalancersCommand(byArn ? { LoadBalancerArns: [nlb] } : { Names: [nlb] }))
    .catch((error: unknown) => {
      if (/LoadBalancerNotFound/.test(String((error as Error).message))) return { LoadBalancers: [] };
      throw error;
    });
  const balancer = found.LoadBalancers?.[0];
  if (!balancer?.LoadBalancerArn) throw AwsError.notFound(file, "aws.nlb", `load balancer "${nlb}"`);
  const groups = await clients.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: balancer.LoadBalancerArn }));
  const targetGroups = await Promise.all(
    (groups.TargetGroups ?? []).map(async (group): Promise<DiscoveredTargetGroup> => {
      const health = await clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }));
      return {
        arn: group.TargetGroupArn ?? "?",
        name: group.TargetGroupName ?? "?",
        port: group.Port,
        targets: (health.TargetHealthDescriptions ?? []).map((description) => ({
          id: description.Target?.Id ?? "?",
          port: description.Target?.Port,
          health: description.TargetHealth?.State ?? "?",
          reason: description.TargetHealth?.Reason,
        })),
      };
    }),
  );
  return { name: balancer.LoadBalancerName ?? nlb, arn: balancer.LoadBalancerArn, dns: balancer.DNSName ?? "", targetGroups };
}

function taskOf(task: Task): DiscoveredTask {
  const arn = task.taskArn ?? "?";
  const details = task.attachments?.flatMap((attachment) => attachment.details ?? []) ?? [];
  return {
    id: arn.split("/").at(-1) ?? arn,
    arn,
    lastStatus: task.lastStatus ?? "?",
    desiredStatus: task.desiredStatus ?? "?",
    privateIp: details.find((detail) => detail.name === "privateIPv4Address")?.value,
    tags: ecsTagsOf(task.tags),
  };
}

async function discoverEcs(clients: AwsClients, ecs: NonNullable<AwsTargetSection["ecs"]>, file: string): Promise<DiscoveredSystem["ecs"]> {
  const serviceArns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.ecs.send(new ListServicesCommand({ cluster: ecs.cluster, nextToken })).catch((error: unknown) => {
      if (/ClusterNotFound/.test(String((error as Error).message)))
        throw AwsError.notFound(file, "aws.ecs.cluster", `ECS cluster "${ecs.cluster}"`);
      throw error;
    });
    serviceArns.push(...(page.serviceArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const taskArns: string[] = [];
  do {
    const page = await clients.ecs.send(new ListTasksCommand({ cluster: ecs.cluster, nextToken }));
    taskArns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  const [services, tasks] = await Promise.all([
    Promise.all(
      chunks(serviceArns, 10).map((batch) =>
        clients.ecs.send(new DescribeServicesCommand({ cluster: ecs.cluster, services: batch, include: ["TAGS"] })),
      ),
    ),
    Promise.all(
      chunks(taskArns, 100).map((batch) =>
        clients.ecs.send(new DescribeTasksCommand({ cluster: ecs.cluster, tasks: batch, include: ["TAGS"] })),
      ),
    ),
  ]);
  const tasksByGroup = new Map<string, DiscoveredTask[]>();
  for (const task of tasks.flatMap((page) => page.tasks ?? [])) {
    const group = task.group ?? "";
    tasksByGroup.set(group, [...(tasksByGroup.get(group) ?? []), taskOf(task)]);
  }
  // Counts from the tasks themselves: the scheduler's counters lag (and moto never updates them).
  const discovered = services
    .flatMap((page) => page.services ?? [])
    .map((service): DiscoveredService => {
      const name = service.serviceName ?? "?";
      const serviceTasks = (tasksByGroup.get(`service:${name}`) ?? []).filter((task) => task.lastStatus !== "STOPPED");
      return {
        name,
        arn: service.serviceArn ?? "?",
        desired: service.desiredCount ?? 0,
        running: serviceTasks.filter((task) => task.lastStatus === "RUNNING").length,
        pending: serviceTasks.filter((task) => task.lastStatus !== "RUNNING").length,
        tasks: serviceTasks,
        tags: ecsTagsOf(service.tags),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return { cluster: ecs.cluster, services: discovered, gatewayService: ecs.gateway_service };
}

/** Finds the system a target's `aws` section names: read-only calls only. */
export async function discoverSystem(clients: AwsClients, section: AwsTargetSection, file: string): Promise<DiscoveredSystem> {
  const [nodes, nlb, ecs] = await Promise.allSettled([
    discoverNodes(clients, section, file),
    section.nlb === undefined ? undefined : discoverNlb(clients, section.nlb, file),
    section.ecs === undefined ? undefined : discoverEcs(clients, section.ecs, file),
  ]);
  // The first problem in the file's order (nodes, nlb, ecs), whichever call failed first.
  for (const result of [nodes, nlb, ecs]) if (result.status === "rejected") throw result.reason;
  const found = (nodes as PromiseFulfilledResult<Awaited<ReturnType<typeof discoverNodes>>>).value;
  return {
    region: section.region,
    accountId: found.accountId,
    asg: found.asg,
    instances: found.instances,
    nlb: (nlb as PromiseFulfilledResult<DiscoveredSystem["nlb"]>).value,
    ecs: (ecs as PromiseFulfilledResult<DiscoveredSystem["ecs"]>).value,
  };
}
