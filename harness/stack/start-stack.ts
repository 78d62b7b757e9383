import type { DockerImages } from "./docker-stack.ts";
import { type LocalStackOptions, startLocalStack } from "./local-stack.ts";

export type ProviderName = "local" | "docker";
export const PROVIDERS: readonly ProviderName[] = ["local", "docker"];

interface StackNode {
  readonly name: string;
  /** Its nats-server's name: the slot's name, or a replacement's own. */
  readonly serverName: string;
  readonly clientUrl: string;
  readonly logFile: string;
  readonly namespace: string | undefined;
}

/** What every command needs of a stack it started, whichever provider runs it. */
export interface RunningStack extends AsyncDisposable {
  readonly id: string;
  readonly dir: string;
  readonly targetFile: string;
  readonly cluster: {
    readonly clientUrls: readonly string[];
    readonly monitoringUrls: readonly string[];
    readonly networkKind: string | undefined;
    readonly nodes: readonly StackNode[];
    /** Nodes a replace-node fault took out of the stack during the run (their logs stay evidence). */
    readonly replacedNodes: readonly StackNode[];
  };
  readonly gateways: readonly { readonly url: string }[];
  /** The processes of the system under test on this machine, for resource sampling. */
  readonly pids: number[];
  stop(): Promise<void>;
}

export interface StackOptions extends LocalStackOptions {
  readonly provider?: ProviderName;
  /** The version `natsServer` (a binary) was built from: the docker provider tags its image with it. */
  readonly natsVersion?: string;
  /** The docker provider's images (`--image nats=… --image service=…`). */
  readonly images?: DockerImages;
}

/** Starts the stack on the chosen provider (local by default); the docker provider and testcontainers load only when chosen. */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  if (options.provider !== "docker") return startLocalStack(options);
  const { startDockerStack } = await import("./docker-stack.ts");
  return startDockerStack(options);
}
