import type { AwsTargetSection, ResolvedAddresses } from "../../config/index.ts";
import { isLoopbackAddress } from "./aws-clients.ts";
import { AwsError } from "./aws-error.ts";
import type { DiscoveredInstance, DiscoveredSystem } from "./discovery.ts";

export interface Resolution extends ResolvedAddresses {
  /** Addresses left out because an emulator target never contacts anything outside 127.0.0.0/8. */
  readonly notContacted: readonly string[];
}

/** A node takes part when EC2 runs it and its Auto Scaling group (if any) has it in service. */
export function isServing(instance: DiscoveredInstance): boolean {
  return instance.state === "running" && (instance.lifecycle === undefined || instance.lifecycle === "InService");
}

/** The plain target's addresses: each serving instance's private IP with the NATS ports, the gateway tasks' IPs. */
export function resolveAddresses(system: DiscoveredSystem, section: AwsTargetSection, loopbackOnly: boolean): Resolution {
  const nodes = system.instances.filter(isServing);
  for (const node of nodes) {
    if (node.privateIp === undefined) throw new AwsError(`aws: instance ${node.id} (${node.name}) has no private IP`);
    if (loopbackOnly && !isLoopbackAddress(node.privateIp)) throw AwsError.nonLoopback(node.privateIp, `instance ${node.id}`);
  }
  const notContacted: string[] = [];
  const gatewayUrls: string[] = [];
  const gateway = system.ecs?.services.find((service) => service.name === system.ecs?.gatewayService);
  for (const task of gateway?.tasks ?? []) {
    if (task.lastStatus !== "RUNNING" || task.privateIp === undefined) continue;
    const url = `http://${task.privateIp}:${section.ecs?.gateway_port ?? 8080}`;
    if (loopbackOnly && !isLoopbackAddress(task.privateIp)) notContacted.push(`${url} (gateway task ${task.id})`);
    else gatewayUrls.push(url);
  }
  return {
    servers: nodes.map((node) => `nats://${node.privateIp}:${section.nats.client_port}`),
    monitoring: nodes.map((node) => `http://${node.privateIp}:${section.nats.monitoring_port}`),
    gatewayUrls,
    nodes: system.asg?.desired ?? nodes.length,
    notContacted,
  };
}
