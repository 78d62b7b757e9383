import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StopTaskCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsSection } from "../../../harness/config/index.ts";
import { discoverServiceInstances, type ServiceInstance } from "../../../harness/probes/index.ts";
import {
  AwsClients,
  type DiscoveredService,
  discoverSystem,
  type StartedAwsTwin,
  startAwsTwin,
  TASK_METADATA,
  WORLD_NAMES,
} from "../../../harness/providers/aws/index.ts";
import { waitUntil } from "../../../lib/retry/index.ts";
import { gauntlet } from "../../support/cli.ts";

const runsDir = mkdtempSync(join(tmpdir(), "gauntlet-twin-tasks-runs-"));
let twin: StartedAwsTwin | undefined;
let admin: AwsClients | undefined;
let nc: NatsConnection | undefined;

beforeAll(async () => {
  twin = await startAwsTwin({ nodes: 3, services: ["config", "audit"] });
  admin = new AwsClients({ region: "eu-west-1", endpoint: twin.moto.endpoint, execute: true });
  nc = await connect({ servers: twin.cluster.clientUrls, ...twin.credentials });
}, 180_000);

afterAll(async () => {
  await nc?.close();
  admin?.destroy();
  await twin?.stop();
  rmSync(runsDir, { recursive: true, force: true });
}, 60_000);

const required = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error("the twin did not start");
  return value;
};

async function ecsServices(): Promise<Map<string, DiscoveredService>> {
  const section = AwsSection.parse({
    region: "eu-west-1",
    endpoint: required(twin).moto.endpoint,
    nats: { asg: WORLD_NAMES.asg },
    ecs: { cluster: WORLD_NAMES.cluster, gateway_service: "gateway" },
  });
  const system = await discoverSystem(required(admin), section, "(test)");
  return new Map((system.ecs?.services ?? []).map((service) => [service.name, service]));
}

const runningTasks = (service: DiscoveredService | undefined) =>
  (service?.tasks ?? []).filter((task) => task.lastStatus === "RUNNING").map((task) => task.id);

async function registeredTasks(service: string): Promise<string[]> {
  const instances: ServiceInstance[] = await discoverServiceInstances(required(nc), 300);
  return instances
    .filter((instance) => instance.name === service)
    .map((instance) => instance.metadata[TASK_METADATA] ?? "?")
    .sort();
}

/** Until the service's `$SRV` instances are exactly its running tasks in moto, `count` of them. */
async function settled(service: string, count: number): Promise<string[]> {
  return waitUntil(
    async () => {
      const [tasks, registered] = await Promise.all([
        ecsServices().then((all) => runningTasks(all.get(service)).sort()),
        registeredTasks(service),
      ]);
      return tasks.length === count && JSON.stringify(tasks) === JSON.stringify(registered) ? tasks : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, what: `${service}: ${count} running tasks, each a $SRV instance` },
  );
}

describe("the AWS twin's ECS tasks are local service replicas", () => {
  it("each running task is one $SRV instance carrying its task id; StopTask kills it and a replacement task's replica registers; scale to 0 and back", async () => {
    const first = await settled("config", 2);
    await settled("audit", 2);

    const [stopped = "?", kept] = first;
    const service = (await ecsServices()).get("config");
    const arn = service?.tasks.find((task) => task.id === stopped)?.arn;
    await required(admin).ecs.send(new StopTaskCommand({ cluster: WORLD_NAMES.cluster, task: arn, reason: "test" }));
    const after = await waitUntil(
      async () => {
        const tasks = await settled("config", 2);
        return tasks.includes(stopped) ? undefined : tasks;
      },
      { timeoutMs: 60_000, intervalMs: 200, what: "a replacement for the stopped task" },
    );
    expect(after).toContain(kept);
    expect(after).not.toContain(stopped);

    await required(admin).ecs.send(new UpdateServiceCommand({ cluster: WORLD_NAMES.cluster, service: "audit", desiredCount: 0 }));
    expect(await settled("audit", 0)).toEqual([]);
    await required(admin).ecs.send(new UpdateServiceCommand({ cluster: WORLD_NAMES.cluster, service: "audit", desiredCount: 2 }));
    expect(await settled("audit", 2)).toHaveLength(2);
  }, 180_000);

  it("gauntlet chaos kill-service-replica through the twin: ECS StopTask kills a replica, the scheduler's replacement registers; real verdict", async () => {
    const before = [...(await settled("config", 2)), ...(await settled("audit", 2))];
    const chaos = await gauntlet(
      ["chaos", "kill-service-replica", "--target", required(twin).targetFile, "--execute", "--yes", "--seed", "1", "--runs-dir", runsDir],
      { timeoutMs: 300_000 },
    );
    expect(chaos.stdout).toMatch(/PASS kill-service-replica/);
    expect(chaos.code).toBe(0);
    const journal = readFileSync(join(runsDir, "latest", "aws-journal.jsonl"), "utf8");
    expect(journal.match(/"operation":"StopTask","mutating":true,"outcome":"ok"/g)).toHaveLength(1);
    const after = [...(await settled("config", 2)), ...(await settled("audit", 2))];
    expect(after.filter((task) => !before.includes(task))).toHaveLength(1);
  }, 300_000);

  it("doctor: $SRV instances per service = its running tasks; a task that runs but never registered is named by task id", async () => {
    const file = required(twin).targetFile;
    const [config] = await Promise.all([settled("config", 2), settled("audit", 2)]);
    const healthy = await gauntlet(["doctor", "--target", file]);
    expect(healthy.stdout).toMatch(/ECS tasks = \$SRV\s+✔ pass\s+2 services, 4 running tasks, each answers \$SRV\.PING/);

    // The broken world: the task stays RUNNING in ECS, its replica is gone (a container that never connected).
    const silent = config[0] ?? "?";
    await (await required(twin).tasks.replicaOf(silent))?.kill();
    const broken = await gauntlet(["doctor", "--target", file]);
    expect(broken.stdout).toMatch(
      new RegExp(
        `ECS tasks = \\$SRV\\s+✖ FAIL\\s+config: 1 \\$SRV instance\\(s\\) for 2 running task\\(s\\); never registered: task ${silent}`,
      ),
    );
    expect(broken.code).toBe(1);
  }, 120_000);
});
