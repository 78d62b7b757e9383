import { randomBytes } from "node:crypto";
import {
  DeregisterTaskDefinitionCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import { type AwsClients, AwsError, isLoopbackAddress } from "../../providers/aws/index.ts";
import type { AgentEndpoint } from "./agent-connection.ts";
import { AgentError } from "./agent-error.ts";

export const ECS_AGENT_FAMILY = "gauntlet-load-agent";
/** `startedBy` of every agent task: what to look for when checking that none is left running. */
export const ECS_AGENT_STARTED_BY = "gauntlet-load";
const CONTAINER = "agent";
const RUN_TASK_MAX = 10;
const DESCRIBE_TASKS_MAX = 100;

/** A task as the coordinator reaches it. */
export interface EcsAgentTask {
  readonly id: string;
  readonly arn: string;
  readonly privateIp: string | undefined;
}

export interface EcsAgentsOptions {
  readonly clients: AwsClients;
  readonly cluster: string;
  /** An image whose entry point is `gauntlet` (its command here is `agent --listen 0.0.0.0:PORT --once`). */
  readonly image: string;
  readonly count: number;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly launchType?: "FARGATE" | "EC2";
  /** Task size, as ECS takes it (default 1 vCPU, 2 GiB). */
  readonly cpu?: string;
  readonly memory?: string;
  readonly workers?: number;
  readonly port?: number;
  /** Default: a fresh random one, given to the tasks as GAUNTLET_AGENT_TOKEN. */
  readonly token?: string;
  /** Where the coordinator reaches a task's agent; default ws://<its private IP>:<port>. */
  readonly reach?: (task: EcsAgentTask, index: number) => string;
  /** For the tasks to run and their agents to answer /healthz (default 5 min). */
  readonly timeoutMs?: number;
  readonly progress?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function privateIpOf(task: Task): string | undefined {
  return task.attachments?.flatMap((a) => a.details ?? []).find((d) => d.name === "privateIPv4Address")?.value;
}

/**
 * `--agents ecs:N`: registers a task definition from the image the user names, runs N agent tasks
 * (RunTask) in the system's network, waits until each agent answers, and stops them (StopTask) when the
 * run ends, fails or is aborted, deregistering the task definition: nothing is left running.
 */
export class EcsAgents {
  readonly #options: EcsAgentsOptions;

  constructor(options: EcsAgentsOptions) {
    this.#options = options;
  }

  async start(signal?: AbortSignal): Promise<StartedEcsAgents> {
    const o = this.#options;
    const ecs = o.clients.ecs;
    const port = o.port ?? 7450;
    const token = o.token ?? randomBytes(24).toString("hex");
    const launchType = o.launchType ?? "FARGATE";
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: ECS_AGENT_FAMILY,
        networkMode: "awsvpc",
        requiresCompatibilities: [launchType],
        cpu: o.cpu ?? "1024",
        memory: o.memory ?? "2048",
        containerDefinitions: [
          {
            name: CONTAINER,
            image: o.image,
            essential: true,
            command: ["agent", "--listen", `0.0.0.0:${port}`, "--once", ...(o.workers ? ["--workers", String(o.workers)] : [])],
            portMappings: [{ containerPort: port, protocol: "tcp" }],
            memory: Number(o.memory ?? "2048"),
          },
        ],
        tags: [{ key: "gauntlet", value: "load-agent" }],
      }),
    );
    const definition = registered.taskDefinition?.taskDefinitionArn;
    if (!definition) throw new AwsError("aws ecs.RegisterTaskDefinition returned no task definition");
    const started = new StartedEcsAgents(o.clients, o.cluster, definition);
    try {
      for (let left = o.count; left > 0; left -= RUN_TASK_MAX) {
        signal?.throwIfAborted();
        const run = await ecs.send(
          new RunTaskCommand({
            cluster: o.cluster,
            taskDefinition: definition,
            count: Math.min(RUN_TASK_MAX, left),
            launchType,
            startedBy: ECS_AGENT_STARTED_BY,
            networkConfiguration: {
              awsvpcConfiguration: { subnets: [...o.subnets], securityGroups: [...o.securityGroups], assignPublicIp: "DISABLED" },
            },
            overrides: { containerOverrides: [{ name: CONTAINER, environment: [{ name: "GAUNTLET_AGENT_TOKEN", value: token }] }] },
          }),
        );
        started.taskArns.push(...(run.tasks ?? []).flatMap((t) => (t.taskArn ? [t.taskArn] : [])));
        const failure = run.failures?.[0];
        if (failure) throw new AgentError(`ECS could not run a load agent task: ${failure.reason ?? "?"} ${failure.detail ?? ""}`.trim());
      }
      o.progress?.(`ecs: ${started.taskArns.length} agent tasks started in ${o.cluster}, waiting for them to run`);
      const tasks = await this.#running(started.taskArns, signal);
      const endpoints = tasks.map((task, index) => {
        if (!o.reach && task.privateIp === undefined) throw new AgentError(`ECS agent task ${task.id} has no private IP`);
        if (!o.reach && o.clients.loopbackOnly && !isLoopbackAddress(task.privateIp as string)) {
          throw AwsError.nonLoopback(task.privateIp as string, `load agent task ${task.id}`);
        }
        return { name: task.id, url: o.reach ? o.reach(task, index) : `ws://${task.privateIp}:${port}`, token } satisfies AgentEndpoint;
      });
      await Promise.all(endpoints.map((endpoint) => this.#healthy(endpoint, signal)));
      started.endpoints = endpoints;
      return started;
    } catch (error) {
      await started.stop("gauntlet load could not start its agents");
      throw error;
    }
  }

  async #running(arns: readonly string[], signal: AbortSignal | undefined): Promise<EcsAgentTask[]> {
    const o = this.#options;
    const deadline = performance.now() + (o.timeoutMs ?? 300_000);
    for (;;) {
      signal?.throwIfAborted();
      const tasks: Task[] = [];
      for (let i = 0; i < arns.length; i += DESCRIBE_TASKS_MAX) {
        const described = await o.clients.ecs.send(
          new DescribeTasksCommand({ cluster: o.cluster, tasks: arns.slice(i, i + DESCRIBE_TASKS_MAX) }),
        );
        tasks.push(...(described.tasks ?? []));
      }
      const stopped = tasks.find((t) => t.lastStatus === "STOPPED");
      if (stopped)
        throw new AgentError(
          `ECS load agent task ${stopped.taskArn} stopped while starting: ${stopped.stoppedReason ?? "no reason given"}`,
        );
      if (tasks.length === arns.length && tasks.every((t) => t.lastStatus === "RUNNING")) {
        return tasks.map((t) => ({ id: (t.taskArn ?? "").split("/").pop() ?? "", arn: t.taskArn ?? "", privateIp: privateIpOf(t) }));
      }
      if (performance.now() > deadline) {
        const states = tasks.map((t) => `${(t.taskArn ?? "").split("/").pop()} ${t.lastStatus}`).join(", ");
        throw new AgentError(`ECS load agent tasks not running after ${(o.timeoutMs ?? 300_000) / 1000}s: ${states}`);
      }
      await sleep(2000);
    }
  }

  async #healthy(endpoint: AgentEndpoint, signal: AbortSignal | undefined): Promise<void> {
    const deadline = performance.now() + (this.#options.timeoutMs ?? 300_000);
    const url = `${endpoint.url.replace(/^ws/, "http")}/healthz`;
    for (;;) {
      signal?.throwIfAborted();
      const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (performance.now() > deadline)
        throw new AgentError(`load agent ${endpoint.name} (${url}) did not answer within ${(this.#options.timeoutMs ?? 300_000) / 1000}s`);
      await sleep(1000);
    }
  }
}

export class StartedEcsAgents {
  readonly taskArns: string[] = [];
  endpoints: readonly AgentEndpoint[] = [];
  readonly #clients: AwsClients;
  readonly #cluster: string;
  readonly #definition: string;
  #stopped = false;

  constructor(clients: AwsClients, cluster: string, definition: string) {
    this.#clients = clients;
    this.#cluster = cluster;
    this.#definition = definition;
  }

  /** StopTask for every agent task, then the task definition deregistered; every call is tried, the first failure thrown. */
  async stop(reason = "gauntlet load finished"): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const stopped = await Promise.allSettled(
      this.taskArns.map((task) => this.#clients.ecs.send(new StopTaskCommand({ cluster: this.#cluster, task, reason }))),
    );
    const [deregistered] = await Promise.allSettled([
      this.#clients.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: this.#definition })),
    ]);
    const failed = [...stopped, deregistered].find((c) => c?.status === "rejected");
    if (failed?.status === "rejected") throw failed.reason;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
