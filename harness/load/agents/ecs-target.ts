import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { readTargetFile } from "../../config/index.ts";
import { AwsClients } from "../../providers/aws/index.ts";
import { AgentError } from "./agent-error.ts";
import type { EcsAgentsOptions } from "./ecs-agents.ts";

export interface EcsAgentFlags {
  /** The image to run (`--agent-image`): Gauntlet's, whose entry point is `gauntlet`. */
  readonly image: string | undefined;
  /** Override the target's cluster and the gateway service's network (`--ecs-cluster`, `--ecs-subnets`, `--ecs-security-groups`). */
  readonly cluster?: string | undefined;
  readonly subnets?: readonly string[] | undefined;
  readonly securityGroups?: readonly string[] | undefined;
}

/**
 * Where `--agents ecs:N` runs its tasks, from an aws target file: its region and endpoint, its `ecs.cluster`,
 * and the network (subnets, security groups) of its gateway service, so agents sit beside the system they load.
 */
export async function ecsAgentsFromTarget(
  targetFile: string | undefined,
  flags: EcsAgentFlags,
): Promise<Omit<EcsAgentsOptions, "count"> & Disposable> {
  const needs = "--agents ecs:N needs --target with an aws section (region, ecs.cluster) and --agent-image IMAGE";
  if (!flags.image) throw new AgentError(`${needs}: --agent-image is missing`);
  if (!targetFile) throw new AgentError(`${needs}: --target is missing`);
  const aws = (await readTargetFile(targetFile)).aws;
  if (!aws) throw new AgentError(`${needs}: ${targetFile} has no aws section`);
  const cluster = flags.cluster ?? aws.ecs?.cluster;
  if (!cluster) throw new AgentError(`${needs}: ${targetFile}:aws.ecs.cluster is missing (or pass --ecs-cluster)`);
  const clients = new AwsClients({ region: aws.region, endpoint: aws.endpoint, execute: true });
  try {
    let subnets = flags.subnets;
    let securityGroups = flags.securityGroups;
    if (!subnets || !securityGroups) {
      const service = aws.ecs?.gateway_service;
      if (!service)
        throw new AgentError(
          `${needs}: name the network with --ecs-subnets and --ecs-security-groups, or ${targetFile}:aws.ecs.gateway_service`,
        );
      const described = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
      const network = described.services?.[0]?.networkConfiguration?.awsvpcConfiguration;
      if (!network?.subnets?.length)
        throw new AgentError(
          `${needs}: ECS service ${service} has no awsvpc network to share; pass --ecs-subnets and --ecs-security-groups`,
        );
      subnets ??= network.subnets;
      securityGroups ??= network.securityGroups ?? [];
    }
    return { clients, cluster, image: flags.image, subnets, securityGroups, [Symbol.dispose]: () => clients.destroy() };
  } catch (error) {
    clients.destroy();
    throw error;
  }
}
