import { join } from "node:path";
import { writeTargetFile } from "../config/index.ts";
import { LocalCluster, registerStack, type StartedLocalCluster } from "../providers/local/index.ts";
import type { TaskList } from "../ui/index.ts";

export interface LocalStackOptions {
  readonly nodes: number;
  readonly progress: TaskList;
  readonly signal?: AbortSignal;
}

/** Everything `gauntlet up` runs locally, and the target file that describes it to probes and suites. */
export class StartedLocalStack implements AsyncDisposable {
  readonly cluster: StartedLocalCluster;
  readonly targetFile: string;

  constructor(cluster: StartedLocalCluster, targetFile: string) {
    this.cluster = cluster;
    this.targetFile = targetFile;
  }

  get id(): string {
    return this.cluster.id;
  }

  get dir(): string {
    return this.cluster.dir;
  }

  async stop(): Promise<void> {
    await this.cluster.stop();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

export async function startLocalStack(options: LocalStackOptions): Promise<StartedLocalStack> {
  const { progress } = options;
  const cluster = await progress.run(
    `${options.nodes}-node NATS cluster`,
    () =>
      new LocalCluster()
        .withNodes(options.nodes)
        .withProgress((message) => progress.detail(message))
        .start(options.signal),
    (started) => `formed, meta leader ${started.formation?.metaLeader}`,
  );
  try {
    const targetFile = join(cluster.dir, "target.yaml");
    writeTargetFile(targetFile, {
      name: `local stack ${cluster.id}`,
      servers: cluster.clientUrls,
      monitoring: cluster.monitoringUrls,
      maxPayload: 4 * 1024 * 1024,
    });
    registerStack({ id: cluster.id, pid: process.pid, dir: cluster.dir, targetFile, startedAt: new Date().toISOString() });
    return new StartedLocalStack(cluster, targetFile);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
