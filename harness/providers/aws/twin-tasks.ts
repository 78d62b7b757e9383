import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTasksCommand,
  RunTaskCommand,
  type Service,
  StopTaskCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import type { Manifest } from "../../../services/manifest/index.ts";
import { launchReplica, type ReplicaHandle, type ReplicaLaunch, replicaSpec } from "../../../services/runtime/index.ts";
import type { AwsClients } from "./aws-clients.ts";

/** The `$SRV` metadata key that carries an instance's ECS task id. */
export const TASK_METADATA = "task";

/** One thing the twin's ECS did to a task or its replica, as it happens. */
export interface TaskEvent {
  readonly service: string;
  readonly task: string;
  readonly what: string;
}

interface TaskReplica {
  readonly service: string;
  readonly index: number;
  readonly started: Promise<ReplicaHandle | undefined>;
}

const taskId = (task: Task) => (task.taskArn ?? "?").split("/").at(-1) ?? "?";
const serviceOf = (task: Task) => (task.group?.startsWith("service:") ? task.group.slice("service:".length) : undefined);
const isActive = (task: Task) => task.desiredStatus === "RUNNING" && task.lastStatus !== "STOPPED";

/**
 * The AWS twin's ECS data plane and scheduler: each RUNNING task of a service the manifest
 * knows is one local service replica carrying its task id in its `$SRV` metadata; a task
 * that stops has its replica killed; and, as the ECS scheduler would (moto does not), a
 * service with fewer active tasks than desired gets new ones (RunTask) and one with more
 * has the newest stopped (scale to 0 and back).
 */
export class TwinTasks {
  readonly #clients: AwsClients;
  readonly #cluster: string;
  readonly #manifest: Manifest;
  readonly #launch: Omit<ReplicaLaunch, "log">;
  readonly #onEvent: (event: TaskEvent) => void;
  readonly #replicas = new Map<string, TaskReplica>();
  readonly #failed = new Set<string>();

  constructor(
    clients: AwsClients,
    options: {
      cluster: string;
      manifest: Manifest;
      launch: Omit<ReplicaLaunch, "log">;
      onEvent?: (event: TaskEvent) => void;
    },
  ) {
    this.#clients = clients;
    this.#cluster = options.cluster;
    this.#manifest = options.manifest;
    this.#launch = options.launch;
    this.#onEvent = options.onEvent ?? (() => {});
  }

  /** The local replica of a task (once started), to break the twin on purpose in tests. */
  replicaOf(task: string): Promise<ReplicaHandle | undefined> {
    return this.#replicas.get(task)?.started ?? Promise.resolve(undefined);
  }

  /** Task ids that have a local replica. */
  get tasks(): string[] {
    return [...this.#replicas.keys()];
  }

  /** One pass: replicas follow the tasks, then the tasks follow each service's desired count. */
  async reconcile(): Promise<void> {
    const [services, tasks] = await Promise.all([this.#services(), this.#tasks()]);
    const running = new Map(tasks.filter((task) => task.lastStatus === "RUNNING" && isActive(task)).map((task) => [taskId(task), task]));
    for (const [id, replica] of this.#replicas) if (!running.has(id)) this.#kill(id, replica);
    for (const [id, task] of running) {
      const service = serviceOf(task);
      if (service && !this.#replicas.has(id) && !this.#failed.has(id)) this.#start(id, service);
    }
    for (const service of services) await this.#schedule(service, tasks);
  }

  /** Kills every replica (the twin is going down). */
  async stop(): Promise<void> {
    const replicas = [...this.#replicas.values()];
    this.#replicas.clear();
    await Promise.allSettled(replicas.map(async (replica) => (await replica.started)?.kill()));
  }

  #start(id: string, service: string): void {
    const manifestService = this.#manifest.services.find((candidate) => candidate.name === service);
    if (!manifestService) return;
    const used = new Set([...this.#replicas.values()].filter((replica) => replica.service === service).map((replica) => replica.index));
    let index = 0;
    while (used.has(index)) index += 1;
    const spec = { ...replicaSpec(this.#manifest, manifestService, index), metadata: { [TASK_METADATA]: id } };
    this.#onEvent({ service, task: id, what: `task running → replica ${service}#${index} starting` });
    const started = launchReplica(spec, { ...this.#launch, log: () => {} }).catch((error: unknown) => {
      this.#failed.add(id);
      this.#replicas.delete(id);
      this.#onEvent({ service, task: id, what: `replica failed to start: ${error instanceof Error ? error.message : String(error)}` });
      return undefined;
    });
    this.#replicas.set(id, { service, index, started });
  }

  #kill(id: string, replica: TaskReplica): void {
    this.#replicas.delete(id);
    this.#onEvent({ service: replica.service, task: id, what: `task stopped → replica ${replica.service}#${replica.index} killed` });
    void replica.started.then((handle) => handle?.kill());
  }

  async #schedule(service: Service, tasks: readonly Task[]): Promise<void> {
    const name = service.serviceName ?? "?";
    const active = tasks.filter((task) => serviceOf(task) === name && isActive(task));
    const desired = service.desiredCount ?? 0;
    if (active.length < desired) {
      this.#onEvent({ service: name, task: "-", what: `${active.length} of ${desired} tasks: RunTask ${desired - active.length}` });
      await this.#clients.ecs.send(
        new RunTaskCommand({
          cluster: this.#cluster,
          taskDefinition: service.taskDefinition,
          launchType: service.launchType,
          networkConfiguration: service.networkConfiguration,
          count: desired - active.length,
          group: `service:${name}`,
          tags: service.tags,
        }),
      );
    }
    for (const extra of active.slice(desired).reverse()) {
      this.#onEvent({ service: name, task: taskId(extra), what: `${active.length} tasks, ${desired} desired: StopTask` });
      await this.#clients.ecs.send(
        new StopTaskCommand({ cluster: this.#cluster, task: extra.taskArn, reason: "scaled in by the service" }),
      );
    }
  }

  async #services(): Promise<Service[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#clients.ecs.send(new ListServicesCommand({ cluster: this.#cluster, nextToken }));
      arns.push(...(page.serviceArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const pages = await Promise.all(
      Array.from({ length: Math.ceil(arns.length / 10) }, (_, index) =>
        this.#clients.ecs.send(
          new DescribeServicesCommand({ cluster: this.#cluster, services: arns.slice(index * 10, index * 10 + 10), include: ["TAGS"] }),
        ),
      ),
    );
    return pages.flatMap((page) => page.services ?? []);
  }

  async #tasks(): Promise<Task[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#clients.ecs.send(new ListTasksCommand({ cluster: this.#cluster, desiredStatus: "RUNNING", nextToken }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const pages = await Promise.all(
      Array.from({ length: Math.ceil(arns.length / 100) }, (_, index) =>
        this.#clients.ecs.send(new DescribeTasksCommand({ cluster: this.#cluster, tasks: arns.slice(index * 100, index * 100 + 100) })),
      ),
    );
    return pages.flatMap((page) => page.tasks ?? []);
  }
}
