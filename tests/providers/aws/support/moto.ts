import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { AwsClients, buildEmulatedWorld, MotoServer, type World } from "../../../../harness/providers/aws/index.ts";

export const REGION = "eu-west-1";
export const ALLOW = { "gauntlet:chaos": "allowed" } as const;
export const ALARMS = ["nats-prod-p99", "gateway-5xx"] as const;
/** 22 services as in production, and the gateway. */
export const SERVICES = Array.from({ length: 22 }, (_, index) => `service-${String(index + 1).padStart(2, "0")}-nats`);
export const GATEWAY = "http-nats-gateway";

export interface MotoFixture {
  readonly server: () => MotoServer;
  readonly dir: () => string;
  /** Clients that may mutate (the test's own hands in the emulator), journaling apart from Gauntlet's. */
  readonly admin: () => AwsClients;
}

/** One moto server per test file on a free loopback port, reset before each test; a temp dir for target files. */
export function useMoto(): MotoFixture {
  let server: MotoServer | undefined;
  let admin: AwsClients | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    server = await MotoServer.start();
    dir = mkdtempSync(join(tmpdir(), "gauntlet-aws-test-"));
    admin = new AwsClients({ region: REGION, endpoint: server.endpoint, execute: true });
  }, 120_000);
  afterAll(async () => {
    admin?.destroy();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await server?.reset();
    await server?.manualTaskTransitions();
  });
  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} did not start`);
    return value;
  };
  return { server: () => required(server, "moto"), dir: () => required(dir, "temp dir"), admin: () => required(admin, "moto clients") };
}

export function seedWorld(moto: MotoFixture, options: { services?: readonly string[] } = {}): Promise<World> {
  return buildEmulatedWorld(moto.admin(), {
    region: REGION,
    services: options.services ?? SERVICES,
    gatewayService: GATEWAY,
    tags: ALLOW,
    alarms: ALARMS,
  });
}

/** A target file naming the seeded world by its AWS resources; `ports` where its nats-servers listen (a data plane). */
export function awsTargetFile(
  moto: MotoFixture,
  name: string,
  options: { extra?: string; ports?: { client: number; monitoring: number }; allowTags?: string } = {},
): string {
  const ports = options.ports ? `, client_port: ${options.ports.client}, monitoring_port: ${options.ports.monitoring}` : "";
  const file = join(moto.dir(), `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
aws:
  region: ${REGION}
  endpoint: ${moto.server().endpoint}
  nats: { asg: nats-prod${ports} }
  nlb: nats-prod-nlb
  ecs: { cluster: prod, gateway_service: ${GATEWAY} }
  safety:
    allow_tags: ${options.allowTags ?? '{ "gauntlet:chaos": allowed }'}
    stop_alarms: [${ALARMS.join(", ")}]
${options.extra ?? ""}`,
  );
  return file;
}

/** moto files a record of every DescribeTargetHealth answer: bookkeeping of reads, not a resource. */
const READ_RECORDS = new Set([".elbv2.FakeHealthStatus"]);

/** Paths where two moto state dumps differ (empty: the same account). */
export function stateDifferences(before: unknown, after: unknown, path = ""): string[] {
  if (READ_RECORDS.has(path) || JSON.stringify(before) === JSON.stringify(after)) return [];
  if (typeof before !== "object" || typeof after !== "object" || before === null || after === null)
    return [`${path}: ${JSON.stringify(before)?.slice(0, 200)} → ${JSON.stringify(after)?.slice(0, 200)}`];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].flatMap((key) =>
    stateDifferences((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], `${path}.${key}`),
  );
}
