import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { InitializeMiddleware, MetadataBearer } from "@smithy/types";
import { AwsError } from "./aws-error.ts";
import { isMutating, Journal } from "./journal.ts";

export interface AwsClientOptions {
  readonly region: string;
  readonly endpoint?: string | undefined;
  /** Without it every mutating call is refused before it leaves the process: a dry run. */
  readonly execute?: boolean;
  readonly journal?: Journal;
}

interface SdkClient {
  readonly middlewareStack: {
    add(middleware: InitializeMiddleware<object, MetadataBearer>, options: { step: "initialize"; name: string }): void;
  };
  destroy(): void;
}

/** True for an endpoint on 127.0.0.0/8 or localhost: an emulator, whose discovered addresses must be loopback too. */
export function isLoopbackEndpoint(endpoint: string | undefined): boolean {
  if (endpoint === undefined) return false;
  const host = new URL(endpoint).hostname;
  return host === "localhost" || isLoopbackAddress(host);
}

export function isLoopbackAddress(address: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/**
 * The SDK clients of one target, sharing its region, endpoint, journal and dry-run guard.
 * Credentials come from the standard chain (env, profiles, SSO); an emulator endpoint with
 * none set uses moto's dummy keys.
 */
export class AwsClients {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly autoScaling: AutoScalingClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly ssm: SSMClient;
  readonly cloudWatch: CloudWatchClient;
  readonly journal: Journal;
  readonly execute: boolean;
  readonly loopbackOnly: boolean;

  constructor(options: AwsClientOptions) {
    this.journal = options.journal ?? new Journal();
    this.execute = options.execute ?? false;
    this.loopbackOnly = isLoopbackEndpoint(options.endpoint);
    const emulatorKeys =
      this.loopbackOnly && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE
        ? { credentials: { accessKeyId: "testing", secretAccessKey: "testing" } }
        : {};
    const config = { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}), ...emulatorKeys, maxAttempts: 3 };
    this.ec2 = this.#watch(new EC2Client(config), "ec2");
    this.ecs = this.#watch(new ECSClient(config), "ecs");
    this.autoScaling = this.#watch(new AutoScalingClient(config), "autoscaling");
    this.elb = this.#watch(new ElasticLoadBalancingV2Client(config), "elbv2");
    this.ssm = this.#watch(new SSMClient(config), "ssm");
    this.cloudWatch = this.#watch(new CloudWatchClient(config), "cloudwatch");
  }

  /** Journals every call with its request id; refuses mutating calls unless `execute`. */
  #watch<C extends SdkClient>(client: C, service: string): C {
    const journal = this.journal;
    const execute = this.execute;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? "?").replace(/Command$/, "");
        const mutating = isMutating(operation);
        const started = performance.now();
        const at = new Date().toISOString();
        if (mutating && !execute) {
          journal.record({ at, service, operation, mutating, outcome: "refused", durationMs: 0, error: "dry run" });
          throw AwsError.notConfirmed(`${service}.${operation} is a mutating call and this is a dry run (pass --execute)`);
        }
        try {
          const result = await next(args);
          const requestId = result.output.$metadata.requestId;
          journal.record({ at, service, operation, mutating, outcome: "ok", requestId, durationMs: performance.now() - started });
          return result;
        } catch (error) {
          const requestId = (error as { $metadata?: { requestId?: string } }).$metadata?.requestId;
          const message = error instanceof Error ? error.message : String(error);
          journal.record({
            at,
            service,
            operation,
            mutating,
            outcome: "error",
            requestId,
            error: message,
            durationMs: performance.now() - started,
          });
          throw AwsError.callFailed(service, operation, error);
        }
      },
      { step: "initialize", name: "gauntletJournal" },
    );
    return client;
  }

  destroy(): void {
    for (const client of [this.ec2, this.ecs, this.autoScaling, this.elb, this.ssm, this.cloudWatch]) client.destroy();
  }
}
