import { freePorts } from "../../../../harness/net/free-port.ts";
import { LocalCluster, type StartedLocalCluster } from "../../../../harness/providers/local/index.ts";

export interface DataPlanePorts {
  readonly client: number;
  readonly cluster: number;
  readonly monitoring: number;
}

export async function dataPlanePorts(): Promise<DataPlanePorts> {
  const [client, cluster, monitoring] = (await freePorts(3)) as [number, number, number];
  return { client, cluster, monitoring };
}

/** nats-server nodes on the instances' loopback private IPs, all on the same ports: the system moto only describes. */
export function startNodesOn(ips: readonly string[], ports: DataPlanePorts): Promise<StartedLocalCluster> {
  return new LocalCluster().withHosts(ips, ports).start();
}
